-- get_job.lua — wrk script: GET one job with Basic auth (ROBOTS_AUTH, ROBOTS_PATH).
wrk.method = "GET"
wrk.path = os.getenv("ROBOTS_PATH")
wrk.headers["Authorization"] = os.getenv("ROBOTS_AUTH")
