"""One query language core: criteria strings and COQL parse into one AST
(:mod:`.ast`), are checked against field metadata (:mod:`.validate`) and compiled to
SQLAlchemy with bound parameters only (:mod:`.compile`)."""
