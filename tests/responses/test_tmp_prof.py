import time, logging
from tests.responses.test_unit_security import OtherUnitsWorkStaysHiddenTests as B
class T(B):
    def test_prof(self):
        logging.getLogger("django.request").setLevel(logging.ERROR)
        logging.getLogger("django.security").setLevel(logging.ERROR)
        self.user = self.handler
        for phase in ("check_model_admin_urls", "check_admin_actions", "check_autocomplete", "check_site_urls", "check_project_urls"):
            self.requests = 0
            t = time.perf_counter()
            getattr(self, phase)()
            print("PROF", phase, self.requests, round(time.perf_counter() - t, 1))
        import cProfile, pstats
        pr = cProfile.Profile(); pr.enable()
        for i in range(20): self.check("get", "/admin/responses/reply/?q=机密")
        pr.disable(); pstats.Stats(pr, stream=open("/tmp/prof.txt","w")).sort_stats("cumulative").print_stats(40)
