"""The demo's made-up texts about a person agree with the person: he, she or they, by the sex on their record.

Texts say `{they}`, `{them}`, `{their}` (or `{Their}` to start a sentence) and `{parent}`, and are written so
that no verb has to agree with the pronoun ("did {they} take it up", never "{they} takes").
"""

PRONOUNS = {
    "1": {"they": "he", "them": "him", "their": "his", "parent": "dad"},
    "2": {"they": "she", "them": "her", "their": "her", "parent": "mum"},
}
NEUTRAL = {"they": "they", "them": "them", "their": "their", "parent": "parent"}


def about(person, text: str) -> str:
    """`text` with its pronouns for this person (anything with a `sex`: a Person)."""
    words = PRONOUNS.get(getattr(person, "sex", ""), NEUTRAL)
    return text.format(**words, They=words["they"].capitalize(), Their=words["their"].capitalize())
