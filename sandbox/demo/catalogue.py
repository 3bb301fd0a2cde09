"""What the sandbox's demo data and its data generator share: the catalogue and the country."""

# Category breadcrumbs -> (title, price excluding tax) of the demo products.
CATALOGUE = {
    "Clothing > Shoes": [
        ("Running shoes", "349.90"),
        ("Sandals", "189.00"),
        ("Leather boots", "599.00"),
        ("Canvas sneakers", "229.00"),
        ("Kids' trainers", "159.90"),
    ],
    "Clothing > Jeans": [
        ("Slim jeans", "279.00"),
        ("Relaxed jeans", "259.00"),
        ("Tailor-made jeans", "489.00"),
        ("Denim jacket", "399.00"),
    ],
    "Clothing > T-shirts": [
        ("Cotton T-shirt", "59.90"),
        ("Polo shirt", "119.00"),
        ("Linen shirt", "199.00"),
        ("Hoodie", "229.00"),
    ],
    "Home > Kitchen": [
        ("Espresso cups (set of 4)", "89.90"),
        ("Chef's knife", "249.00"),
        ("Olive wood board", "139.00"),
        ("Cast-iron pan", "299.00"),
        ("Tea kettle", "179.00"),
        ("Spice rack", "99.00"),
    ],
    "Home > Garden": [
        ("Herb planter", "79.00"),
        ("Garden hose 15 m", "129.00"),
        ("Pruning shears", "89.00"),
        ("Outdoor lantern", "149.00"),
    ],
    "Toys": [
        ("Wooden train set", "219.00"),
        ("Building blocks", "149.90"),
        ("Puzzle 1000 pieces", "79.90"),
        ("Plush bear", "69.90"),
        ("Board game", "159.00"),
        ("Kite", "59.00"),
    ],
    "Baby": [
        ("Baby blanket", "119.00"),
        ("Feeding set", "89.00"),
        ("Stroller fan", "69.00"),
        ("Soft book", "49.90"),
        ("Bath toys", "39.90"),
    ],
    "Books": [
        ("Hebrew cookbook", "98.00"),
        ("Travel guide Israel", "119.00"),
        ("Children's stories", "69.00"),
        ("Gardening handbook", "89.00"),
        ("Photography basics", "129.00"),
        ("Crossword collection", "49.00"),
        ("Atlas of the Galilee", "149.00"),
        ("Poetry in two languages", "79.00"),
        ("Bedtime stories", "59.00"),
    ],
    "Food > Coffee": [
        ("Coffee beans 1 kg", "129.00"),
        ("Ground coffee 500 g", "59.00"),
        ("Cold brew pack", "45.00"),
        ("Cardamom coffee", "39.90"),
        ("Decaf beans 500 g", "64.00"),
        ("Espresso capsules (50)", "99.00"),
    ],
}

# Oscar's ``address.Country`` row of the store (``iso_3166_1_a2="IL"``).
ISRAEL = {
    "iso_3166_1_a3": "ISR",
    "iso_3166_1_numeric": "376",
    "printable_name": "Israel",
    "name": "State of Israel",
    "is_shipping_country": True,
}
