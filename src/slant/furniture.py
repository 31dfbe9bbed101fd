"""Page furniture: the parts of a scraped page that are nobody's statement.

Shared by claims (no furniture is a claim) and attribution (furniture is no part of an embedded
tweet's text): embedded tweets' links and signatures, shop widgets, polls, form fields and
sign-up notices, and lines that open as a caption or a link to another story. Found in the PTC
articles and the news corpora (``../shared/data``); each alternative below matched there. Before
claims left them out, 25 of the 1,339 claims of PTC dev were such furniture, scored 0.53-0.96 and
all in the outlet's voice (the line under an embedded tweet, ``Best Price: $5.64 Buy New``, ``take
our poll``, ``... Cory Booker⏎Email *``); captions and links opening a line (``Photo:``,
``Related:``, ``WATCH:``, ``READ MORE:``) were 36 lines of PTC and the news corpora.
"""

from __future__ import annotations

import re

#: an embedded tweet's photo link or its signature (``pic.twitter.com/...``, ``(@AP) August 8, 2018``)
TWEET_FURNITURE = re.compile(
    r"pic\.twitter\.com/\w|\(@\w{1,15}\)\s+(?:January|February|March|April|May|June|July|August|September|October"
    r"|November|December) \d{1,2}, \d{4}",
    re.IGNORECASE)
#: a site's own widgets and notices: ``Best Price: $5.64 Buy New``, polls, a form's ``Email *``, the
#: sign-up small print under a poll (``You also agree to this site's Privacy Policy and Terms of Use.``)
SITE_FURNITURE = re.compile(
    r"\bBest Price: \$[\d.,]+ Buy New\b|\btake our poll\b|^[ \t]*Email \*[ \t]*$|\bPrivacy Policy and Terms of "
    r"(?:Use|Service)\b|\bthis field is for validation purposes\b|\bgrants you access to\b.{0,40}\bupdates\b"
    # a syndication notice: "©2018 Los Angeles Times, Distributed by Tribune Content Agency, LLC." (12 lines of
    # PTC), "Article posted with permission from Pamela Geller", "Reprinted with permission from ..." (74)
    r"|^[ \t]*(?:©|\(c\)|copyright\b)[ \t]*©?[ \t]*\d{4}\b|\b(?:posted|reprinted|republished|reposted) with permission\b",
    re.IGNORECASE | re.MULTILINE)

#: a line that is furniture as a whole, whatever part of it a unit is: a caption or a link to another
#: story by its opening ("Photo:", "FILE PHOTO:", "READ MORE:"), or a poll's answers as one line of
#: names ("* Dianne Feinstein Maxine Waters Adam Schiff ...", 50 lines of PTC)
FURNITURE_LINE = re.compile(
    r"[ \t]*(?:(?:file[ \t]+)?(?:photo|image)|video|watch|read more|related|see also|also read)[ \t]*:"
    r"|(?m-i:[ \t]*\*[ \t]+(?:[A-Z][\w.'’-]*[ \t]+){3,}[A-Z][\w.'’-]*[ \t]*$)",  # a poll's answers (above)
    re.IGNORECASE)


def is_furniture(text: str, start: int, end: int, *, tweets: bool = True) -> bool:
    """Whether ``text[start:end]`` holds page furniture or lies on a furniture line.

    Args:
        text: the (normalised) text.
        start, end: char offsets of the unit.
        tweets: also count a tweet's link or signature (claims do; a tweet's own text holds them).
    """
    if tweets and TWEET_FURNITURE.search(text, start, end):
        return True
    return bool(SITE_FURNITURE.search(text, start, end) or FURNITURE_LINE.match(text, text.rfind("\n", 0, start) + 1))
