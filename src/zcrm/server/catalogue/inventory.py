"""Inventory modules without line items: Products, Vendors, Price_Books.

Quotes, Sales_Orders, Purchase_Orders and Invoices need line-item subforms and are not
part of the catalogue yet.
"""

from __future__ import annotations

from .common import (
    NONE,
    activities_related,
    address,
    description,
    locked,
    notes_related,
    record_image,
    record_status,
    rl,
    unsubscribe_fields,
)
from .spec import (
    FieldSpec,
    ModuleSpec,
    audit_fields,
    boolean,
    currency,
    date,
    double,
    email,
    lookup,
    multiselect,
    phone,
    picklist,
    text,
    userlookup,
    website,
)

PRODUCTS = ModuleSpec(
    api_name="Products",
    module_name="Products",
    singular_label="Product",
    plural_label="Products",
    display_field="Product_Name",
    duplicate_check_field="Product_Name",
    fields=(
        *audit_fields(),
        text("Product_Name", "Product Name", 120, mandatory=True),
        text("Product_Code", "Product Code", 40),
        boolean("Product_Active", "Product Active", default=False),
        picklist(
            "Product_Category",
            "Product Category",
            [NONE, "Hardware", "Software", "CRM Applications"],
        ),
        picklist(
            "Manufacturer",
            "Manufacturer",
            [NONE, "AltvetPet Inc.", "LexPon Inc.", "MetBeat Corp."],
        ),
        lookup("Vendor_Name", "Vendor Name", "Vendors"),
        userlookup("Handler", "Handler"),
        date("Sales_Start_Date", "Sales Start Date"),
        date("Sales_End_Date", "Sales End Date"),
        date("Support_Start_Date", "Support Start Date"),
        date("Support_Expiry_Date", "Support Expiry Date"),
        currency("Unit_Price", "Unit Price"),
        currency("Commission_Rate", "Commission Rate"),
        multiselect("Tax", "Tax", ["Sales Tax", "Vat", "Service Tax"]),
        boolean("Taxable", "Taxable", default=False),
        picklist(
            "Usage_Unit",
            "Usage Unit",
            [
                NONE,
                "Box",
                "Carton",
                "Dozen",
                "Each",
                "Hours",
                "Impressions",
                "Lb",
                "M",
                "Pack",
                "Pages",
                "Pieces",
                "Quantity",
                "Reams",
                "Sheet",
                "Spiral Binder",
                "Sq Ft",
            ],
        ),
        double("Qty_Ordered", "Qty Ordered"),
        double("Qty_in_Stock", "Quantity in Stock"),
        double("Qty_in_Demand", "Quantity in Demand", read_only=True),
        double("Reorder_Level", "Reorder Level"),
        description(),
        record_image(),
        record_status(),
        locked(),
    ),
    related_lists=(
        rl("Cases", "Cases", "Product_Name"),
        rl("Solutions", "Solutions", "Product_Name"),
        notes_related(),
        *activities_related("What_Id"),
    ),
)


VENDORS = ModuleSpec(
    api_name="Vendors",
    module_name="Vendors",
    singular_label="Vendor",
    plural_label="Vendors",
    display_field="Vendor_Name",
    duplicate_check_field="Vendor_Name",
    fields=(
        *audit_fields(),
        text("Vendor_Name", "Vendor Name", 120, mandatory=True),
        phone("Phone", "Phone"),
        email("Email", "Email"),
        website("Website", "Website"),
        picklist(
            "GL_Account",
            "GL Account",
            [
                NONE,
                "Sales-Software",
                "Sales-Hardware",
                "Rental-Income",
                "Interest-Income",
                "Sales-Software-Support",
                "Sales Other",
                "Interest Sales",
                "Service-Hardware Labor",
            ],
        ),
        text("Category", "Category", 100),
        boolean("Email_Opt_Out", "Email Opt Out", default=False),
        *address("", ""),
        description(),
        record_image(),
        *unsubscribe_fields(),
        record_status(),
        locked(),
    ),
    related_lists=(
        rl("Contacts", "Contacts", "Vendor_Name"),
        rl("Products", "Products", "Vendor_Name"),
        notes_related(),
        *activities_related("What_Id"),
    ),
)


PRICE_BOOKS = ModuleSpec(
    api_name="Price_Books",
    module_name="PriceBooks",
    singular_label="Price Book",
    plural_label="Price Books",
    display_field="Price_Book_Name",
    duplicate_check_field="Price_Book_Name",
    scope_name="pricebooks",
    fields=(
        *audit_fields(),
        text("Price_Book_Name", "Price Book Name", 120, mandatory=True),
        boolean("Active", "Active", default=False),
        picklist("Pricing_Model", "Pricing Model", [NONE, "Flat", "Differential"]),
        # [{"from_range": 1, "to_range": 10, "discount": 5}, ...] for differential pricing.
        FieldSpec("Pricing_Details", "Pricing Details", "jsonarray", searchable=False),
        description(),
        record_status(),
        locked(),
    ),
    related_lists=(notes_related(),),
)
