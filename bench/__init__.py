"""Load tools for LiveHub: the load client (`manage.py loadtest`) and the floor it is compared with."""
