# nexphys app image: the same image runs the web app, the RQ worker and the scheduler.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 FLASK_APP=wsgi.py NEXPHYS_ENV=production PORT=5000
WORKDIR /app

COPY requirements.txt .
RUN pip install --no-cache-dir -r requirements.txt

COPY wsgi.py ./
COPY nexphys ./nexphys
COPY migrations ./migrations
COPY templates ./templates
COPY static ./static

RUN useradd --create-home --uid 10001 nexphys && mkdir -p instance && chown nexphys instance
USER nexphys
EXPOSE 5000
HEALTHCHECK --interval=30s --timeout=3s CMD python -c "import urllib.request,os; urllib.request.urlopen(f'http://127.0.0.1:{os.environ[\"PORT\"]}/health/live')"
CMD ["gunicorn", "--config", "nexphys/gunicorn_conf.py", "wsgi:app"]
