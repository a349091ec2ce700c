from django.apps import AppConfig


class BenchConfig(AppConfig):
    # No models: an app only so that `manage.py loadtest` is found (bench/management/commands).
    name = "bench"
    verbose_name = "Load tools"
