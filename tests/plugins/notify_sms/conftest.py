import pytest

from tests.plugins.notify_sms.fake_tencent import ok_answer

SECRET_ID = "AKIDfakeSecretId0123456789abcdef"
SECRET_KEY = "fakeSecretKeyDoNotLog0123456789ab"


@pytest.fixture
def tencent(json_server):
    """Tencent Cloud's SendSms API on a local port (plain HTTP): every number accepted unless answers are queued."""
    json_server.default = ok_answer()
    return json_server


def tencent_settings(url: str, **extra) -> dict:
    settings = {
        "tessera.notify_sms.backend": "tencent",
        "tessera.notify_sms.secret_id": SECRET_ID,
        "tessera.notify_sms.secret_key": SECRET_KEY,
        "tessera.notify_sms.sdk_app_id": "1400000001",
        "tessera.notify_sms.sign_name": "泰塞拉科技",
        "tessera.notify_sms.endpoint": url,
        "tessera.notify_sms.timeout": "5",
        "tessera.notify_sms.templates": "SCHEDULE_REMINDER=2000001:title,time VERIFY=2000002:code",
    }
    settings.update(extra)
    return settings


@pytest.fixture
def tencent_site(make_site, tencent):
    return make_site(plugins=("notify", "notify_sms"), settings=tencent_settings(tencent.url))
