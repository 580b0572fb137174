from django.urls import reverse

from catalog.tests.base import PASSWORD, ShopTestCase

LOGIN = reverse("accounts:login")
LOGOUT = reverse("accounts:logout")
PROFILE = reverse("accounts:profile")


class LoginViewTests(ShopTestCase):
    def test_login_page(self):
        response = self.client.get(LOGIN, {"next": PROFILE})
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, f'name="next" value="{PROFILE}"')

    def test_login_redirects_to_next(self):
        response = self.client.post(
            LOGIN, {"username": "alice", "password": PASSWORD, "next": PROFILE}
        )
        self.assertRedirects(response, PROFILE, fetch_redirect_response=False)
        self.assertEqual(int(self.client.session["_auth_user_id"]), self.alice.pk)
        self.assertContains(self.client.get(PROFILE), "Profile of alice")

    def test_login_ignores_offsite_next_and_rejects_bad_password(self):
        response = self.client.post(
            LOGIN, {"username": "alice", "password": PASSWORD, "next": "https://evil.example/"}
        )
        self.assertRedirects(response, reverse("catalog:book_list"), fetch_redirect_response=False)
        self.client.logout()
        response = self.client.post(LOGIN, {"username": "alice", "password": "wrong"})
        self.assertContains(response, "Invalid username or password.", status_code=400)
        self.assertNotIn("_auth_user_id", self.client.session)

    async def test_login_async(self):
        response = await self.async_client.get(LOGIN)
        self.assertContains(response, "<h1>Log in</h1>")
        response = await self.async_client.post(
            LOGIN, {"username": "bob", "password": PASSWORD, "next": PROFILE}
        )
        self.assertRedirects(response, PROFILE, fetch_redirect_response=False)
        response = await self.async_client.get(PROFILE)
        self.assertContains(response, "Profile of bob")

    async def test_bad_password_async(self):
        response = await self.async_client.post(LOGIN, {"username": "bob", "password": "nope"})
        self.assertContains(response, "Invalid username or password.", status_code=400)
        response = await self.async_client.get(PROFILE)
        self.assertEqual(response.status_code, 302)


class LogoutViewTests(ShopTestCase):
    def test_logout(self):
        self.client.force_login(self.alice)
        self.assertEqual(self.client.get(LOGOUT).status_code, 405)
        response = self.client.post(LOGOUT)
        self.assertRedirects(response, reverse("catalog:book_list"), fetch_redirect_response=False)
        self.assertNotIn("_auth_user_id", self.client.session)
        self.assertRedirects(
            self.client.get(PROFILE), f"{LOGIN}?next={PROFILE}", fetch_redirect_response=False
        )

    async def test_logout_async(self):
        await self.alogin(self.alice)
        self.assertEqual((await self.async_client.get(PROFILE)).status_code, 200)
        response = await self.async_client.get(LOGOUT)
        self.assertEqual(response.status_code, 405)
        response = await self.async_client.post(LOGOUT)
        self.assertRedirects(response, reverse("catalog:book_list"), fetch_redirect_response=False)
        response = await self.async_client.get(PROFILE)
        self.assertRedirects(response, f"{LOGIN}?next={PROFILE}", fetch_redirect_response=False)


class ProfileViewTests(ShopTestCase):
    def test_profile(self):
        self.client.force_login(self.bob)
        response = self.client.get(PROFILE)
        self.assertContains(response, "Profile of bob")
        self.assertContains(response, "1 reviews, 2 orders")
        self.assertContains(response, "Signed in as bob")

    async def test_profile_async(self):
        response = await self.async_client.get(PROFILE)
        self.assertRedirects(response, f"{LOGIN}?next={PROFILE}", fetch_redirect_response=False)
        await self.alogin(self.alice)
        response = await self.async_client.get(PROFILE)
        self.assertContains(response, "1 reviews, 1 orders")
