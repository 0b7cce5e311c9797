"""The business rules of Cordon, once, for every face: the command line (``sync.cli``) and the
window's Qt-free data modules (``desktop``) call these functions and nothing below them for a
decision. Roles and permissions are one table (``roles``), the record workflow is one table
(``records``); each refusal is a ``ServiceError`` whose text is a translated sentence."""
