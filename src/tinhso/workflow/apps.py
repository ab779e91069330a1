from django.apps import AppConfig


class WorkflowConfig(AppConfig):
    name = "tinhso.workflow"
    label = "workflow"
    verbose_name = "Quy trình và lịch làm việc"
