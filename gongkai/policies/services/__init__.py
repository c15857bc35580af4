"""Services: the only code that changes policy-library data. One module per concern:
``documents`` (create/edit, 索引号, search change log), ``workflow`` (publishing, 公开属性
approvals), ``interpretations``, ``libraries``, ``imports`` (import/export)."""
