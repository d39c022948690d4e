"""The shipped wording of bookings' messages, French first then English (SPEC N-4).

Every message says what was done, by whom and when (in the reader's own zone, as
every date of a message is), and why the reader gets it; the email layout adds how
to stop. One date style per language, the year always given.
"""

DATE_FR, DATE_EN = "l j F Y", "l, F j, Y"
DAY_FR, DAY_EN = "j F Y", "F j, Y"
TIME_FR, TIME_EN = "H:i", "g:i A"


def when_fr(start="start", end="end"):
    return (
        f"{{{{ {start}|date:'{DATE_FR}' }}}}, de {{{{ {start}|time:'{TIME_FR}' }}}} "
        f"à {{{{ {end}|time:'{TIME_FR}' }}}}"
    )


def when_en(start="start", end="end"):
    return (
        f"{{{{ {start}|date:'{DATE_EN}' }}}}, {{{{ {start}|time:'{TIME_EN}' }}}} "
        f"to {{{{ {end}|time:'{TIME_EN}' }}}}"
    )


WHEN_FR, WHEN_EN = when_fr(), when_en()
SHORT_FR = f"{{{{ start|date:'{DAY_FR}' }}}} à {{{{ start|time:'{TIME_FR}' }}}}"
SHORT_EN = f"{{{{ start|date:'{DAY_EN}' }}}} at {{{{ start|time:'{TIME_EN}' }}}}"
WHERE = "{{ resource }} — {{ site }}{% if site_address %}, {{ site_address }}{% endif %}"
BY_FR = (
    "{% if actor_name %}Par {{ actor_name }}, le {{ done_at|date:'" + DAY_FR + "' }} à "
    "{{ done_at|time:'" + TIME_FR + "' }}.{% endif %}"
)
BY_EN = (
    "{% if actor_name %}By {{ actor_name }}, on {{ done_at|date:'" + DAY_EN + "' }} at "
    "{{ done_at|time:'" + TIME_EN + "' }}.{% endif %}"
)
FACTS_FR = (
    "Quand\u00a0: "
    + WHEN_FR
    + "\nOù\u00a0: "
    + WHERE
    + "{% if add_ons %}\nServices\u00a0: {{ add_ons }}{% endif %}"
    + "{% if amount %}\nMontant\u00a0: {{ amount }}{% endif %}"
)
FACTS_EN = (
    "When: "
    + WHEN_EN
    + "\nWhere: "
    + WHERE
    + "{% if add_ons %}\nServices: {{ add_ons }}{% endif %}"
    + "{% if amount %}\nAmount: {{ amount }}{% endif %}"
)
ICS_FR = "Le fichier joint met votre agenda à jour."
ICS_EN = "The attached file updates your calendar."
LINK = "\n\n{{ link }}"


def body(lines):
    return "\n\n".join(line for line in lines if line) + LINK


def hello_fr(*lines):
    return body(["Bonjour {{ recipient_name }},", *lines])


def hello_en(*lines):
    return body(["Hello {{ recipient_name }},", *lines])


WHY_BOOKER_FR = "Vous recevez ce message car cette réservation est à votre nom."
WHY_BOOKER_EN = "You receive this message because this booking is in your name."
WHY_PARTICIPANT_FR = "Vous recevez ce message car vous participez à cette réservation."
WHY_PARTICIPANT_EN = "You receive this message because you take part in this booking."
WHY_MANAGER_FR = "Vous recevez ce message en tant que responsable de {{ resource }}."
WHY_MANAGER_EN = "You receive this message as the manager responsible for {{ resource }}."
WHY_SUBSCRIBED_FR = (
    "Vous recevez ce message car vous avez demandé à être prévenu de chaque réservation. "
    "Un résumé quotidien peut le remplacer (page «\u00a0Notifications des réservations\u00a0»)."
)
WHY_SUBSCRIBED_EN = (
    "You receive this message because you asked to hear of every booking. "
    "A daily digest can replace it (the “Booking notifications” page)."
)
