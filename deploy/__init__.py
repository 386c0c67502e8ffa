"""Hosting: deploy/replicas.py runs K replicas behind nginx (deploy/nginx.conf)."""
