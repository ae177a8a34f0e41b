from ninja import Schema


class ErrorOut(Schema):
    detail: str
    code: str
    field: str | None = None


class FieldError(Schema):
    field: str
    message: str


class ValidationErrorOut(Schema):
    detail: str
    code: str
    errors: list[FieldError]
