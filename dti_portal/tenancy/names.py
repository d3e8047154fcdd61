"""Unit names as people write them: the same unit is spelled differently across years."""

import re
import unicodedata

_APOSTROPHES = str.maketrans({"’": "'", "‘": "'", "`": "'", "ʼ": "'"})
_SPACES = re.compile(r"\s+")


def name_key(name: str) -> str:
    """Return the form of `name` used to match it: NFC, case-folded, one space, one apostrophe.

    "UBND huyện  Ea H’leo" and "ubnd huyện ea h'leo" share a key; "Krông Pắk" and
    "Krông Pắc" do not (a different spelling is an alias, recorded as data).
    """
    text = unicodedata.normalize("NFC", name or "").translate(_APOSTROPHES)
    return _SPACES.sub(" ", text).strip().casefold()
