"""Word lists the demo org is made from: people, companies, places, products, phrases.

Every company and person here is invented; phone numbers use the 555-01xx range that
is reserved for fiction, and e-mail domains are derived from the invented companies.
"""

from __future__ import annotations

FIRST_NAMES: tuple[str, ...] = (
    "Aisha", "Alejandro", "Amara", "Anders", "Anika", "Ben", "Carmen", "Chen", "Chloe",
    "Daniel", "Dev", "Elena", "Emeka", "Farah", "Felix", "Grace", "Hana", "Hugo", "Ines",
    "Isaac", "Jamal", "Julia", "Kai", "Kenji", "Lara", "Leo", "Lucia", "Maya", "Mateo",
    "Mei", "Nadia", "Noah", "Olivia", "Omar", "Priya", "Rafael", "Rosa", "Ruth", "Sam",
    "Sofia", "Tariq", "Thea", "Tomas", "Uma", "Victor", "Wen", "Yara", "Yusuf", "Zoe",
    "Marcus", "Ingrid", "Pablo", "Keiko", "Ravi", "Astrid", "Diego", "Fatima", "Lena",
)  # fmt: skip

LAST_NAMES: tuple[str, ...] = (
    "Adeyemi", "Alvarez", "Andersen", "Bauer", "Becker", "Bianchi", "Brooks", "Castillo",
    "Chowdhury", "Costa", "Dubois", "Eriksson", "Fischer", "Garcia", "Haddad", "Hansen",
    "Hoffmann", "Ibrahim", "Ito", "Jensen", "Kaur", "Kim", "Kowalski", "Lambert", "Larsen",
    "Lopez", "Mehta", "Moreau", "Murphy", "Nakamura", "Nguyen", "Novak", "Okafor", "Olsen",
    "Park", "Patel", "Petrov", "Quinn", "Rahman", "Reyes", "Rossi", "Santos", "Schmidt",
    "Silva", "Singh", "Sato", "Tanaka", "Torres", "Varga", "Walsh", "Weber", "Yilmaz",
    "Zhang", "Lindqvist", "Mensah", "Horvat", "Okoye", "Duarte",
)  # fmt: skip

COMPANY_STEMS: tuple[str, ...] = (
    "Northwind", "Bluepeak", "Cedarline", "Brightwater", "Ironbark", "Silverleaf", "Redstone",
    "Harborview", "Greenfield", "Summit", "Lakeshore", "Oakridge", "Pinecrest", "Riverbend",
    "Stonegate", "Suncrest", "Tidewater", "Westbrook", "Maplewood", "Clearwater", "Foxglove",
    "Granite", "Highland", "Juniper", "Kestrel", "Lumen", "Meridian", "Nimbus", "Orchard",
    "Polaris", "Quarry", "Rosewood", "Sparrow", "Trillium", "Vantage", "Willow", "Zephyr",
    "Aurora", "Beacon", "Copperfield",
)  # fmt: skip

COMPANY_KINDS: tuple[str, ...] = (
    "Logistics", "Analytics", "Foods", "Health", "Systems", "Robotics", "Energy", "Media",
    "Outfitters", "Dynamics", "Labs", "Networks", "Financial", "Manufacturing", "Software",
    "Consulting", "Retail", "Pharma", "Telecom", "Architects",
)  # fmt: skip

COMPANY_SUFFIXES: tuple[str, ...] = ("Inc.", "LLC", "Ltd", "Corp.", "GmbH", "Group", "Co.")

# (city, state or region, country, postal code)
PLACES: tuple[tuple[str, str, str, str], ...] = (
    ("Austin", "TX", "United States", "78701"),
    ("Boston", "MA", "United States", "02108"),
    ("Chicago", "IL", "United States", "60601"),
    ("Denver", "CO", "United States", "80202"),
    ("Seattle", "WA", "United States", "98101"),
    ("San Francisco", "CA", "United States", "94105"),
    ("New York", "NY", "United States", "10001"),
    ("Atlanta", "GA", "United States", "30303"),
    ("Toronto", "ON", "Canada", "M5H 2N2"),
    ("Vancouver", "BC", "Canada", "V6B 1A1"),
    ("London", "Greater London", "United Kingdom", "EC1A 1BB"),
    ("Manchester", "Greater Manchester", "United Kingdom", "M1 1AE"),
    ("Berlin", "Berlin", "Germany", "10115"),
    ("Munich", "Bavaria", "Germany", "80331"),
    ("Paris", "Ile-de-France", "France", "75001"),
    ("Amsterdam", "North Holland", "Netherlands", "1012 JS"),
    ("Stockholm", "Stockholm", "Sweden", "111 20"),
    ("Madrid", "Madrid", "Spain", "28013"),
    ("Chennai", "Tamil Nadu", "India", "600001"),
    ("Bengaluru", "Karnataka", "India", "560001"),
    ("Singapore", "Singapore", "Singapore", "048583"),
    ("Sydney", "NSW", "Australia", "2000"),
    ("Tokyo", "Tokyo", "Japan", "100-0001"),
    ("Sao Paulo", "SP", "Brazil", "01000-000"),
)

STREET_NAMES: tuple[str, ...] = (
    "Market Street", "Harbor Road", "Elm Avenue", "Station Road", "King Street",
    "Mill Lane", "Park Avenue", "Queen Street", "River Road", "Church Street",
    "High Street", "Lake View Drive", "Commerce Way", "Innovation Drive", "Oak Street",
)  # fmt: skip

AREA_CODES: tuple[str, ...] = ("212", "303", "312", "404", "415", "512", "617", "206", "416")

JOB_TITLES: tuple[str, ...] = (
    "CEO", "CTO", "CFO", "VP Sales", "VP Marketing", "Head of Operations", "IT Director",
    "Procurement Manager", "Sales Manager", "Marketing Manager", "Product Manager",
    "Operations Manager", "Office Manager", "Purchasing Lead", "Business Analyst",
    "Customer Success Lead", "Finance Director", "Engineering Manager",
)  # fmt: skip

DEPARTMENTS: tuple[str, ...] = (
    "Sales", "Marketing", "Finance", "Operations", "IT", "Procurement", "Engineering",
    "Customer Success",
)  # fmt: skip

# (name, code, category, manufacturer, unit price, usage unit)
PRODUCTS: tuple[tuple[str, str, str, str, float, str], ...] = (
    ("CRM Professional Licence", "CRM-PRO", "CRM Applications", "LexPon Inc.", 35.0, "Each"),
    ("CRM Enterprise Licence", "CRM-ENT", "CRM Applications", "LexPon Inc.", 55.0, "Each"),
    ("Analytics Add-on", "ANL-ADD", "Software", "MetBeat Corp.", 20.0, "Each"),
    ("Onboarding Package", "SVC-ONB", "Software", "LexPon Inc.", 2500.0, "Hours"),
    ("Data Migration Service", "SVC-MIG", "Software", "MetBeat Corp.", 4000.0, "Hours"),
    ("Barcode Scanner X2", "HW-SCN-X2", "Hardware", "AltvetPet Inc.", 189.0, "Each"),
    ("Point-of-Sale Terminal", "HW-POS-1", "Hardware", "AltvetPet Inc.", 749.0, "Each"),
    ("Receipt Printer", "HW-PRN-3", "Hardware", "MetBeat Corp.", 229.0, "Each"),
    ("Support Plan Gold", "SUP-GOLD", "Software", "LexPon Inc.", 1200.0, "Each"),
    ("Rugged Tablet T10", "HW-TAB-10", "Hardware", "AltvetPet Inc.", 899.0, "Each"),
    ("Label Roll (box of 12)", "SUP-LBL-12", "Hardware", "MetBeat Corp.", 48.0, "Box"),
    ("Field Service App", "APP-FSA", "CRM Applications", "LexPon Inc.", 25.0, "Each"),
)

# (name, type)
CAMPAIGNS: tuple[tuple[str, str], ...] = (
    ("Spring Product Webinar", "Webinar"),
    ("Retail Expo", "Trade Show"),
    ("Partner Referral Drive", "Referral Program"),
    ("Q3 Newsletter", "Email"),
    ("Customer Conference", "Conference"),
    ("Search Ads - Analytics", "Advertisement"),
    ("Win-back Mailing", "Direct mail"),
    ("Outbound Calling Blitz", "Telemarketing"),
)

DEAL_NEEDS: tuple[str, ...] = (
    "CRM rollout", "licence renewal", "analytics upgrade", "POS refresh", "data migration",
    "support plan", "field service pilot", "scanner fleet", "expansion", "onboarding",
)  # fmt: skip

NEXT_STEPS: tuple[str, ...] = (
    "Send proposal", "Schedule demo", "Confirm budget", "Legal review", "Security review",
    "Pricing call", "Sign order form", "Intro to procurement",
)  # fmt: skip

CASE_SUBJECTS: tuple[str, ...] = (
    "Cannot sign in after password reset",
    "Scanner does not pair with tablet",
    "Invoice shows the wrong currency",
    "Export to CSV times out",
    "Request: dark mode for the mobile app",
    "Sync delay between devices",
    "Printer prints blank receipts",
    "How do I add a custom field?",
    "Licence count does not match the order",
    "Dashboard widgets load slowly",
    "Question about data retention",
    "Duplicate contacts after import",
)

TASK_SUBJECTS: tuple[str, ...] = (
    "Send follow-up e-mail", "Prepare proposal", "Update pricing sheet", "Book onsite visit",
    "Share case study", "Check contract terms", "Send product brochure", "Confirm meeting agenda",
    "Log call notes", "Request references", "Review support tickets", "Renewal reminder",
)  # fmt: skip

CALL_SUBJECTS: tuple[str, ...] = (
    "Discovery call", "Pricing discussion", "Follow-up call", "Demo recap", "Renewal check-in",
    "Support escalation", "Introductory call", "Contract questions",
)  # fmt: skip

MEETING_TITLES: tuple[str, ...] = (
    "Product demo", "Quarterly business review", "Kick-off meeting", "Onsite workshop",
    "Executive briefing", "Implementation planning", "Lunch with the buying team",
)  # fmt: skip

VENUES: tuple[str, ...] = ("Customer office", "Video call", "Our office", "Conference room B")

NOTE_TEXTS: tuple[tuple[str, str], ...] = (
    ("Budget", "Budget approved for this quarter; decision expected within two weeks."),
    ("Competition", "They are also evaluating two other vendors; price is the main concern."),
    ("Champion", "Our champion is keen; needs a short deck for the leadership meeting."),
    ("Technical fit", "IT asked about SSO and data residency; sent the security overview."),
    ("Timing", "Project on hold until the new fiscal year starts."),
    ("Follow-up", "Asked for a trial with ten users and sample data."),
    ("Feedback", "Liked the mobile app; wants offline mode for field staff."),
    ("Contract", "Legal wants a one-year term with an option to renew."),
)
