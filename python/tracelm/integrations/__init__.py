"""tracelm.integrations — trace outbound HTTP from Python clients.

    import tracelm.integrations.requests   # every requests call made in a span
    import tracelm.integrations.httpx      # every httpx call, sync and async
"""
