"""Official documents as DOCX: the ГОСТ page (layout), templates (build_templates, render),
their contents (content) and the reports built in code (reports). Never imports aiogram."""
