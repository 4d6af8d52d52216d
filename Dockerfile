FROM python:3.11-slim
WORKDIR /app
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1
COPY pyproject.toml README.md alembic.ini babel.cfg ./
COPY bot bot
COPY handlers handlers
COPY rendering rendering
COPY models models
COPY scheduler scheduler
COPY migrations migrations
COPY documents documents
COPY locales locales
RUN pip install --no-cache-dir -e .
USER nobody
CMD ["python", "-m", "bot"]
