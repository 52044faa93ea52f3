"""The API description and its explorer, for the services this site enables."""
import pytest


@pytest.fixture
def site(make_site, outside_plugins):
    return make_site(plugins=["hello"])


def test_spec_describes_this_sites_services_with_their_errors(site):
    spec = site.get("/api/openapi.json").json
    assert spec["swagger"] == "2.0" and spec["info"]["title"] == "Tessera API"
    assert {"/api/hello", "/api/auth/login", "/api/users/{id}", "/api/notifications"} <= set(spec["paths"])
    login = spec["paths"]["/api/auth/login"]["post"]
    body = next(p for p in login["parameters"] if p["in"] == "body")
    assert set(body["schema"]["required"]) == {"username", "password"}
    assert "security" not in login and "401" in login["responses"]
    users = spec["paths"]["/api/users"]["get"]
    assert {p["name"] for p in users["parameters"] if p["in"] == "query"} >= {"page", "limit", "role", "search"}
    assert users["security"] == [{"bearer": []}]
    assert {"200", "400", "401", "403", "404", "500"} <= set(users["responses"])
    assert users["responses"]["400"]["schema"]["properties"]["code"]["enum"] == [4001]
    path_parameter = spec["paths"]["/api/users/{id}"]["parameters"][0]
    assert path_parameter["name"] == "id" and path_parameter["in"] == "path"


def test_docs_page_loads_swagger_ui_from_this_server(site):
    page = site.get("/api/docs")
    assert page.content_type == "text/html"
    assert "/api/docs/static/swagger-ui-bundle.js" in page.text and "/api/openapi.json" in page.text
    assert "cdn" not in page.text.lower() and "https://" not in page.text
    assert "SwaggerUIBundle" in site.get("/api/docs/static/swagger-ui-bundle.js").text
    site.get("/api/docs/static/swagger-ui.css")
