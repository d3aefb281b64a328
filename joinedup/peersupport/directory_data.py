"""A realistic synthetic community directory for every locality: invented organisations, no real contact
details (phone numbers in Ofcom's drama ranges, 01632 960xxx and 07700 900xxx; example.org email addresses).

Deterministic for a seed, so loading it again changes nothing (offers_load matches on each offer's code).
"""

import random

# (name, description, how to join, when) per category; {place} is the locality's name.
TEMPLATES = {
    "learning": [
        (
            "Confidence and wellbeing course",
            "A six-week course on managing stress and building confidence, run by tutors who understand mental health.",
            "Book a place by phone or ask your worker to book for you.",
            "Tuesdays, 10am to 12pm, termly",
        ),
        (
            "Basic computer skills",
            "Learn to use email, video calls and online forms at your own pace with a volunteer beside you.",
            "Drop in, or phone to check there is a laptop free.",
            "Wednesdays, 1pm to 3pm",
        ),
        (
            "English and maths for adults",
            "Free functional skills classes for adults, small groups and a friendly tutor.",
            "Phone for a short chat about the right level.",
            "Mornings, Monday to Thursday",
        ),
        (
            "Creative writing group",
            "Write poems and stories with others; no experience needed.",
            "Just turn up.",
            "Thursdays, 6pm to 8pm",
        ),
        (
            "Recovery college: understanding anxiety",
            "A course co-produced by people with lived experience and clinicians.",
            "Enrol online or by phone; your worker can come to the first session.",
            "Fortnightly, Fridays",
        ),
    ],
    "employment": [
        (
            "Job club",
            "Help with CVs, applications and interview practice in a relaxed group.",
            "Drop in; bring any letters from the jobcentre.",
            "Mondays, 10am to 12pm",
        ),
        (
            "Work experience placements",
            "Short unpaid placements with local employers, with a mentor alongside.",
            "Ask for a referral from your worker.",
            "By arrangement",
        ),
        (
            "Self-employment start-up sessions",
            "Thinking of working for yourself? Practical advice and a small grant scheme.",
            "Book a one-to-one by email.",
            "Monthly",
        ),
    ],
    "volunteering": [
        (
            "Community café volunteering",
            "Help run a pay-as-you-feel café: serving, cooking and chatting.",
            "Fill in a short form at the café or by email.",
            "Weekdays, flexible shifts",
        ),
        (
            "Park and garden volunteers",
            "Planting, litter picks and looking after green spaces with a friendly team.",
            "Phone the coordinator; gloves and tools provided.",
            "Saturdays, 10am to 1pm",
        ),
        (
            "Charity shop volunteering",
            "Sorting stock and serving customers; good for building routine and confidence.",
            "Pop in and ask for the manager.",
            "Flexible",
        ),
        (
            "Befriending volunteer",
            "Spend an hour a week with an older person who is lonely.",
            "Phone for an informal chat; checks and training given.",
            "An hour a week",
        ),
    ],
    "social_leisure": [
        (
            "Men's shed",
            "Woodwork, repairs and a cup of tea with others; a place to talk shoulder to shoulder.",
            "Just turn up.",
            "Tuesdays and Thursdays, 10am to 3pm",
        ),
        (
            "Coffee and chat group",
            "A relaxed peer-led social group for people living with mental health conditions.",
            "Just turn up; a peer volunteer will meet you at the door.",
            "Fridays, 11am to 1pm",
        ),
        (
            "Community choir",
            "Sing together; no auditions and no need to read music.",
            "Come along to any session.",
            "Wednesdays, 7pm",
        ),
        ("Board games night", "Friendly evening of board and card games.", "Just turn up.", "Every other Monday, 6pm"),
        (
            "Art for wellbeing",
            "Painting, drawing and crafts in a calm studio; materials provided.",
            "Phone to book; spaces are limited.",
            "Mondays, 1pm to 3pm",
        ),
        (
            "Women's walking and talking group",
            "A gentle walk and a chat for women, ending at a café.",
            "Meet at the start point; details by phone.",
            "Saturdays, 10am",
        ),
    ],
    "healthy_living": [
        (
            "Gentle exercise class",
            "Chair-based and standing exercises at your own pace.",
            "Just turn up; wear comfortable clothes.",
            "Mondays and Thursdays, 11am",
        ),
        (
            "Walking group",
            "An hour's walk on flat paths with trained walk leaders.",
            "Meet at the start point; no need to book.",
            "Wednesdays, 10am",
        ),
        (
            "Stop smoking support",
            "Free support and nicotine replacement to help you stop smoking.",
            "Phone or text to book a first appointment.",
            "Weekdays",
        ),
        (
            "Cook and eat on a budget",
            "Learn simple, cheap, healthy meals and eat together.",
            "Phone to book a place.",
            "Thursdays, 5pm to 7pm",
        ),
        (
            "Swim and gym concession",
            "Reduced-price swimming and gym sessions, with a quiet session each week.",
            "Show your referral letter at reception.",
            "Daily",
        ),
        (
            "Allotment group",
            "Grow fruit and vegetables with others; no experience needed.",
            "Email to arrange a first visit.",
            "Tuesdays and Saturdays",
        ),
    ],
    "debt_advice": [
        (
            "Money and debt advice",
            "Free, confidential help with debts, budgeting and dealing with creditors.",
            "Drop in or phone to book an appointment.",
            "Tuesdays and Thursdays, 10am to 1pm",
        ),
        (
            "Benefits check and form filling",
            "Check you get everything you are entitled to, with help filling in forms.",
            "Phone to book; bring your letters.",
            "Weekdays by appointment",
        ),
        (
            "Fuel and energy advice",
            "Help with energy bills, debts to suppliers and grants.",
            "Phone or email.",
            "Weekdays",
        ),
    ],
    "housing": [
        (
            "Housing advice drop-in",
            "Advice on tenancies, rent arrears, repairs and the risk of losing your home.",
            "Drop in or phone the advice line.",
            "Mondays and Wednesdays, 9am to 12pm",
        ),
        (
            "Tenancy sustainment support",
            "A support worker helps you keep your tenancy: bills, neighbours, repairs.",
            "Referral from your worker or the council.",
            "By arrangement",
        ),
        (
            "Supported accommodation enquiries",
            "Information about supported housing places for people with mental health needs.",
            "Phone the enquiry line.",
            "Weekdays",
        ),
    ],
    "employment_support": [
        (
            "Individual placement and support",
            "Employment specialists who help people with mental health conditions find and keep paid work.",
            "Referral from your mental health worker.",
            "By arrangement",
        ),
        (
            "In-work support",
            "Help to stay in work: talking to your employer, reasonable adjustments, returning after sickness.",
            "Phone or email for a first chat.",
            "Weekdays",
        ),
    ],
    "substance_misuse": [
        (
            "Drug and alcohol recovery service",
            "Free, confidential support to cut down or stop, including prescribing and groups.",
            "Self-refer by phone or drop in.",
            "Weekdays, 9am to 5pm",
        ),
        (
            "Mutual aid recovery meeting",
            "Peer-led recovery meetings, open to anyone wanting to change their drinking or drug use.",
            "Just turn up.",
            "Evenings, several a week",
        ),
        (
            "Family and carers support",
            "Support for people affected by someone else's drinking or drug use.",
            "Phone to book.",
            "Monthly group and one-to-one",
        ),
    ],
}

FIRST = [
    "Bright",
    "Harbour",
    "Meadow",
    "Lantern",
    "Heron",
    "Willow",
    "Beacon",
    "Oak",
    "Kestrel",
    "Millstone",
    "Riverside",
    "Hillside",
    "Copper",
    "Fellside",
    "Tideline",
    "Bluebell",
    "Foxglove",
    "Sandpiper",
    "Lark",
    "Ember",
]
SECOND = [
    "Community Trust",
    "Wellbeing Collective",
    "Neighbourhood Project",
    "Community Interest Company",
    "Network",
    "Hub",
    "Partnership",
    "Foundation",
    "Co-operative",
    "Friends",
]
ACCESSIBILITY = [
    "Step-free access and an accessible toilet.",
    "Step-free access; hearing loop fitted.",
    "Quiet room available; staff trained in mental health awareness.",
    "Ground floor; large print materials on request.",
    "Interpreters on request, including British Sign Language.",
    "Upstairs with no lift: ask about alternatives.",
    "Easy read information available; you can bring someone with you.",
    "",
]
VENUES = ["community centre", "library", "church hall", "leisure centre", "family hub", "town hall annexe", "park café"]


def _slug(text: str) -> str:
    return "".join(c if c.isalnum() else "-" for c in text.lower()).strip("-").replace("--", "-")


def synthetic_offers(localities, *, per_locality: int = 40, seed: int = 2026):
    """Rows for offers_load: `per_locality` offers in each locality (code, name) given, across every category."""
    rng = random.Random(seed)
    categories = list(TEMPLATES)
    rows = []
    for locality_code, locality_name in localities:
        providers = [f"{a} {b}" for a, b in zip(rng.sample(FIRST, 8), rng.sample(SECOND * 2, 8), strict=True)]
        for n in range(per_locality):
            category = categories[n % len(categories)]
            name, description, how, when = rng.choice(TEMPLATES[category])
            provider = f"{locality_name} {providers[n % len(providers)]}"
            number = rng.randrange(1000)
            phone = f"01632 960 {number:03d}" if rng.random() < 0.7 else f"07700 900 {number:03d}"
            rows.append(
                {
                    "code": f"{locality_code}-{n:04d}",
                    "name": f"{name}" if n < len(categories) * 2 else f"{name} ({rng.choice(VENUES)})",
                    "provider": provider,
                    "category": category,
                    "locality": locality_code,
                    "description": description,
                    "how_to_join": how,
                    "accessibility": rng.choice(ACCESSIBILITY),
                    "where": f"{locality_name} {rng.choice(VENUES)}",
                    "when": when,
                    "phone": phone,
                    "email": f"{_slug(provider)}@example.org",
                }
            )
    return rows
