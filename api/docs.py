"""The API's documentation page: Swagger UI from our own static files (the sidecar
package), under the site's Content-Security-Policy as it is: the page's script is a
file of its own (drf-spectacular's split view), and its one <style> carries the
request's CSP nonce (templates/api/swagger_ui.html)."""

from drf_spectacular.views import SpectacularSwaggerSplitView


class SwaggerView(SpectacularSwaggerSplitView):
    template_name = "api/swagger_ui.html"
