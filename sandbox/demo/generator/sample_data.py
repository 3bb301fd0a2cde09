"""Places and channels for ``loyalty_generate_data``.

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
