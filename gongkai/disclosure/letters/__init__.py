"""告知书: reply letters and notices of a disclosure request, generated as DOCX and PDF from one
template per type (``definitions``), rendered by one renderer (``render``). The services are in
``gongkai.disclosure.services.letters``."""
