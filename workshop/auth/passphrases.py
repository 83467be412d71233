"""Hashing and making passphrases."""

import re
import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

# argon2id with the library's defaults (RFC 9106 "low memory": t=3, m=64 MiB, p=4).
_hasher = PasswordHasher()
# Verified against when the username does not exist, so both failures take as long.
_DUMMY_HASH = _hasher.hash("not a real passphrase")

MIN_LENGTH = 10
MAX_LENGTH = 200

# Short, common, easy-to-read words: a passphrase printed on a card must be typeable by
# someone who reads with difficulty. Three words from about 260 and two digits give about 30 bits,
# enough behind login throttling; people may also choose a longer one.
WORDS = """
apple arm baby bag ball band bank bark barn bath beach bean bear bed bee bell belt bench
bike bird boat body bone book boot bowl box bread brick bridge brush bus cake camp candle
car card cat chair cheese chin city clock cloud coat coin corn cow crab cup desk dog doll
door dot dream dress drum duck egg farm fern field fish flag flower fog foot fork fox frog
game garden gate gift girl glass glove goat gold grass hall hand hat hill home hook horse
house ice jam jar jeans jelly kettle key king kite lake lamp leaf leg lemon light lime
lion lip lock map meal milk moon moss mouse mug nest net nose nut oak ocean onion orange
owl page paint pan park path peach pear pen pig pillow pin plant plate pond pot queen
rain river road rock roof room rope rose sail salt sand seed sheep shell ship shoe shop
sink skirt sky snow sock sofa song spoon star stone straw sun swan table tail tea tent
tiger toast toe tooth towel town toy train tree truck tulip van vase wall wand wave web
well whale wheel wind window wing wolf wood wool yard yarn zoo acorn badge basket berry
cabin canoe carrot cherry cliff comet cookie cotton daisy dolphin eagle feather forest
guitar hammer harbour honey island jacket ladder lemonade meadow mitten muffin orchard
otter panda parrot pebble pepper piano picnic pillar puppy rabbit robin saddle scarf
shadow silver sparrow spring squirrel sugar summer sunset teapot ticket tomato tunnel
violin walnut winter
""".split()


_WORD_SET = frozenset(WORDS)
_CARD_NUMBER = re.compile(r"[1-9][0-9]")


def card_form(passphrase: str) -> str | None:
    """A passphrase of the shape generate_passphrase makes, as its card prints it (lower
    case, dashes), however it was typed: "Apple river sun 12" -> "apple-river-sun-12".
    None for any other passphrase.

    How we know a passphrase is one the app made: by this strict shape (three words of
    WORDS and a number from 10 to 99), not by a flag on the account. The shape needs no
    migration, and it is safe: every spelling of one card passphrase is worth exactly as
    much to a guesser as the card's own, since all of them open the same account, and a
    passphrase of any other shape is still compared character for character. A person
    who chose such a passphrase themselves gets the same ease and loses nothing.
    """
    parts = re.split(r"[\s-]+", passphrase.strip().lower())
    if (len(parts) == 4 and all(word in _WORD_SET for word in parts[:3])
            and _CARD_NUMBER.fullmatch(parts[3])):
        return "-".join(parts)
    return None


def hash_passphrase(passphrase: str) -> str:
    # A card passphrase is kept in its card form, so any spelling of it matches later.
    return _hasher.hash(card_form(passphrase) or passphrase)


def _verify(stored_hash: str | None, passphrase: str) -> bool:
    try:
        return _hasher.verify(stored_hash or _DUMMY_HASH, passphrase) and stored_hash is not None
    except (VerificationError, InvalidHashError):
        return False


def verify_passphrase(stored_hash: str | None, passphrase: str) -> bool:
    """As typed first (hashes made before card forms were kept, and every other
    passphrase); then, for a card passphrase typed another way, in its card form."""
    card = card_form(passphrase)
    return _verify(stored_hash, passphrase) or (card not in (None, passphrase)
                                                and _verify(stored_hash, card))


def needs_rehash(stored_hash: str) -> bool:
    return _hasher.check_needs_rehash(stored_hash)


def generate_passphrase() -> str:
    words = [secrets.choice(WORDS) for _ in range(3)]
    return "-".join(words) + f"-{secrets.randbelow(90) + 10}"


def passphrase_problem(passphrase: str) -> str | None:
    """Why a new passphrase cannot be used, in words a participant understands; or None."""
    if len(passphrase) < MIN_LENGTH:
        return f"Use at least {MIN_LENGTH} characters. Three short words work well."
    if len(passphrase) > MAX_LENGTH:
        return f"Use at most {MAX_LENGTH} characters."
    if len(set(passphrase.lower())) < 5:
        return "Use a mix of letters or words, not one character again and again."
    return None
