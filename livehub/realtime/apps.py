from django.apps import AppConfig


class RealtimeConfig(AppConfig):
    name = "livehub.realtime"
    label = "realtime"
    verbose_name = "Real-time gateway"
