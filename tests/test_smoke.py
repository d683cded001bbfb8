def test_home_page_offers_every_sign_in(client):
    page = client.get("/").get_data(as_text=True)
    for label in ("个人登录", "用人单位登录", "受理点登录", "管理员登录"):
        assert label in page
