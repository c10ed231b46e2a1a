def post_init_hook(env):
    """Let portal users see the API key section of "Connection & Security"."""
    env["ir.config_parameter"].sudo().set_param("portal.allow_api_keys", "True")
