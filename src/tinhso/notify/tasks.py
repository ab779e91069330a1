from celery import shared_task


@shared_task(name="tinhso.notify.tasks.deliver_pending")
def deliver_pending() -> int:
    return 0
