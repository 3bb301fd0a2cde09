"""Places, channels and a fallback catalogue for ``loyalty_generate_data``.

Names, streets and postcodes come from Faker (``he_IL`` and ``en_US``); what is
here is what Faker has no notion of: the store's regions for each city, the
weights of the acquisition channels.
"""

# (city, region, weight)
CITIES = [
    ("תל אביב-יפו", "tel-aviv", 14),
    ("ירושלים", "jerusalem", 14),
    ("חיפה", "haifa", 9),
    ("ראשון לציון", "center", 7),
    ("פתח תקווה", "center", 6),
    ("אשדוד", "south", 6),
    ("נתניה", "center", 6),
    ("באר שבע", "south", 6),
    ("חולון", "tel-aviv", 5),
    ("בני ברק", "tel-aviv", 5),
    ("רמת גן", "tel-aviv", 5),
    ("רחובות", "center", 4),
    ("אשקלון", "south", 4),
    ("בת ים", "tel-aviv", 3),
    ("הרצליה", "tel-aviv", 3),
    ("כפר סבא", "center", 3),
    ("מודיעין", "center", 3),
    ("נצרת", "north", 3),
    ("עכו", "north", 2),
    ("טבריה", "north", 2),
    ("קריית שמונה", "north", 1),
    ("אילת", "south", 2),
    ("אריאל", "judea-samaria", 1),
    ("מעלה אדומים", "judea-samaria", 1),
    ("London", "abroad", 1),
    ("New York", "abroad", 1),
]

BUSINESS_SUFFIXES = ['בע"מ', "Ltd.", "ושות'", "Group"]

# Used only when the store's catalogue is empty: category path → (title, price).
CATALOGUE = {
    "Clothing > Shoes": [
        ("Running shoes", "349.90"),
        ("Sandals", "189.00"),
        ("Leather boots", "599.00"),
        ("Canvas sneakers", "229.00"),
    ],
    "Clothing > Jeans": [("Slim jeans", "279.00"), ("Denim jacket", "399.00")],
    "Clothing > T-shirts": [("Cotton T-shirt", "59.90"), ("Hoodie", "229.00")],
    "Home > Kitchen": [("Espresso cups (set of 4)", "89.90"), ("Cast-iron pan", "299.00")],
    "Home > Garden": [("Herb planter", "79.00"), ("Outdoor lantern", "149.00")],
}

# Acquisition channels (journey app) and their weights, for members not referred.
TOUCH_CHANNELS = [
    ("direct", 30),
    ("search", 25),
    ("social", 18),
    ("email", 10),
    ("paid", 12),
    ("other", 5),
]
UTM = {
    "social": ("facebook", "social"),
    "paid": ("google", "cpc"),
    "email": ("newsletter", "email"),
}
