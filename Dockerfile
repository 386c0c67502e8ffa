# Backprop Tutor: one replica. `docker build -t backprop-tutor . && docker run -p 8501:8501 backprop-tutor`
# For a class beyond one process, run several and put deploy/nginx.conf in front (sticky sessions).
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    # Production: no file watcher (nothing changes in the image) and no usage statistics.
    STREAMLIT_SERVER_FILE_WATCHER_TYPE=none \
    STREAMLIT_BROWSER_GATHER_USAGE_STATS=false \
    STREAMLIT_SERVER_ADDRESS=0.0.0.0 \
    STREAMLIT_SERVER_PORT=8501

WORKDIR /app
COPY requirements.txt .
RUN pip install -r requirements.txt

# The app runs as an unprivileged user that cannot write to its own code.
RUN useradd --create-home --uid 10001 tutor
COPY . .
USER tutor

EXPOSE 8501
# python, not curl: the slim image has no curl. /_stcore/health answers "ok" once the server is up.
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import sys, urllib.request; sys.exit(0 if urllib.request.urlopen('http://127.0.0.1:8501/_stcore/health', timeout=4).read() == b'ok' else 1)"]

# .streamlit/config.toml (copied with the app) holds the server settings for a class.
CMD ["streamlit", "run", "app.py"]
