"""The block list every new event starts with (organisers edit it in the admin).

Words whose only common meaning is abusive; ambiguous ones (Dutch "kanker" is also the word
for cancer, at a health congress) are left out on purpose: a flag costs a moderator's look.
"""

DEFAULT_BLOCKED_WORDS = {
    "en": ["fuck", "fucking", "shit", "bullshit", "bitch", "bastard", "asshole", "dickhead", "moron"],
    "fr": ["merde", "putain", "connard", "connasse", "salope", "enculé", "abruti"],
    "nl": ["klootzak", "kutwijf", "godverdomme", "hoer", "lul", "trut"],
}


def default_words() -> list[str]:
    return sorted({word.casefold() for words in DEFAULT_BLOCKED_WORDS.values() for word in words})
