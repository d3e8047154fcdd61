"""Names as people write and read them: matching a unit's spellings across years, Vietnamese
alphabetical order, and search that ignores diacritics. Every list of units, provinces or accounts
is ordered by `vn_sort_key`; every search box compares `search_key`s."""

import re
import unicodedata

import icu

_APOSTROPHES = str.maketrans({"’": "'", "‘": "'", "`": "'", "ʼ": "'"})
_SPACES = re.compile(r"\s+")
_D_STROKE = str.maketrans({"đ": "d", "Đ": "D"})  # a letter of its own, not d with a mark: NFD leaves it whole

# ICU's Vietnamese collation (CLDR "vi"): ă, â, đ, ê, ô, ơ, ư are letters of their own (a < ă < â,
# d < đ…), tones differ only at the second level. The Unicode default table alone (pyuca) gets
# Vietnamese wrong: "Ăn" before "Anh", "Đà Nẵng" between "Da" and "Dak", "Cơ" before "Công".
# PyICU holds the GIL while it builds a key, so one collator serves every thread.
_COLLATOR = icu.Collator.createInstance(icu.Locale("vi_VN"))


def name_key(name: str) -> str:
    """Return the form of `name` used to match it: NFC, case-folded, one space, one apostrophe.

    "UBND huyện  Ea H’leo" and "ubnd huyện ea h'leo" share a key; "Krông Pắk" and
    "Krông Pắc" do not (a different spelling is an alias, recorded as data).
    """
    text = unicodedata.normalize("NFC", name or "").translate(_APOSTROPHES)
    return _SPACES.sub(" ", text).strip().casefold()


def vn_sort_key(name: str) -> bytes:
    """The key that puts names in Vietnamese alphabetical order (sorted(names, key=vn_sort_key)).

    "Cư Jút" < "Đắk Lắk" < "Ea Súp"; "Kế hoạch" < "Khoa học"; "Sở Công Thương" < "Sở Cơ khí".
    """
    return _COLLATOR.getSortKey(unicodedata.normalize("NFC", name or ""))


def search_key(text: str) -> str:
    """`text` folded for a search that ignores diacritics, case and spacing.

    "Chuyển  đổi SỐ" → "chuyen doi so", "Đắk Lắk" → "dak lak": NFD with the combining marks
    dropped, đ → d, case-folded, one space. A query matches when its key is in the text's key.
    """
    decomposed = unicodedata.normalize("NFD", (text or "").translate(_D_STROKE))
    bare = "".join(c for c in decomposed if not unicodedata.combining(c))
    return _SPACES.sub(" ", bare).strip().casefold()


def matches(query: str, *texts: str) -> bool:
    """Whether `query` (a search box's text) is found in any of `texts`, diacritics ignored."""
    needle = search_key(query)
    return not needle or any(needle in search_key(t) for t in texts)
