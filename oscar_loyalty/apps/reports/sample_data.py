"""Israeli names, places and catalogue for ``loyalty_generate_data`` (demo data only)."""

# (Hebrew, Latin) pairs: the Latin spelling makes the e-mail address.
FIRST_NAMES = [
    ("נועה", "Noa"),
    ("תמר", "Tamar"),
    ("מאיה", "Maya"),
    ("יעל", "Yael"),
    ("שירה", "Shira"),
    ("אביגיל", "Avigail"),
    ("מיכל", "Michal"),
    ("רותם", "Rotem"),
    ("הילה", "Hila"),
    ("ליאור", "Lior"),
    ("דניאל", "Daniel"),
    ("יוסף", "Yosef"),
    ("איתי", "Itay"),
    ("אורי", "Ori"),
    ("עומר", "Omer"),
    ("נועם", "Noam"),
    ("אריאל", "Ariel"),
    ("דוד", "David"),
    ("משה", "Moshe"),
    ("יונתן", "Yonatan"),
    ("עידו", "Ido"),
    ("אחמד", "Ahmad"),
    ("מוחמד", "Mohammad"),
    ("לילא", "Layla"),
    ("סמיר", "Samir"),
    ("רנא", "Rana"),
    ("אולגה", "Olga"),
    ("דמיטרי", "Dmitri"),
]
ENGLISH_FIRST_NAMES = [
    "Sarah",
    "Rachel",
    "Emma",
    "Hannah",
    "Benjamin",
    "Jonathan",
    "Michael",
    "Adam",
    "Rebecca",
    "Joshua",
    "Natalie",
    "Ethan",
]
LAST_NAMES = [
    ("כהן", "Cohen"),
    ("לוי", "Levi"),
    ("מזרחי", "Mizrahi"),
    ("פרץ", "Peretz"),
    ("ביטון", "Biton"),
    ("דהן", "Dahan"),
    ("אברהם", "Avraham"),
    ("פרידמן", "Friedman"),
    ("אזולאי", "Azoulay"),
    ("מלכה", "Malka"),
    ("כץ", "Katz"),
    ("שפירא", "Shapira"),
    ("חדד", "Hadad"),
    ("גבאי", "Gabay"),
    ("עזרא", "Ezra"),
    ("חורי", "Khoury"),
    ("נסאר", "Nassar"),
    ("רוזנברג", "Rosenberg"),
    ("גולדברג", "Goldberg"),
    ("בן דוד", "Ben David"),
]
ENGLISH_LAST_NAMES = ["Smith", "Green", "Miller", "Stone", "Fisher", "Baker"]

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
