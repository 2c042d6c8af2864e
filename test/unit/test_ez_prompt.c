/*
 * xauth userid mode interactive in keymgr (keymgr/ez_prompt.c, keymgr/ezvpn.c): the server's
 * request is held, not answered; the operator's answer reaches ikemgr only for the request
 * held, once, for that ezvpn; a cancel, a reload that makes it local, or the prompt's time
 * running out withdraw it. And the hex words the answer travels in (common/hexword.c).
 */
#include <criterion/criterion.h>
#include <string.h>
#include <arpa/inet.h>

#include "common/conf.h"
#include "common/hexword.h"
#include "keymgr/keymgr.h"

static struct vpnd_conf conf;

static const char cfg[] =
	"crypto ipsec client ezvpn inter\n"
	" group group1 key cisco123\n"
	" peer 172.18.143.246\n"
	" xauth userid mode interactive\n"
	"crypto ipsec client ezvpn loc\n"
	" group group1 key cisco123\n"
	" peer 172.18.143.246\n"
	" username cisco password cisco123\n"
	" xauth userid mode local\n";

static void setup(void)
{
	memset(&conf, 0, sizeof(conf));
	cr_assert_eq(conf_load_buf("ez", cfg, sizeof(cfg) - 1, &conf, NULL, NULL), 0);
	ezp_reload(&conf);
}
TestSuite(ez_prompt, .init = setup);

static int ask(const char *ez, uint32_t sa_id)
{
	struct msg_ez_xauth_req rq;
	struct msg_ez_xauth_res res;
	memset(&rq, 0, sizeof(rq));
	rq.sa_id = sa_id;
	snprintf(rq.ezvpn, sizeof(rq.ezvpn), "%s", ez);
	rq.peer.sin.sin_family = AF_INET;
	inet_pton(AF_INET, "172.18.143.246", &rq.peer.sin.sin_addr);
	keymgr_ez_xauth(&conf, &rq, &res);
	cr_expect_eq(res.password[0], '\0', "keymgr has no password to give for %s", ez);
	return res.status;
}

static int answer(const char *ez, const char *user, const char *pw, time_t now,
                  struct msg_ez_xauth_res *res)
{
	struct msg_ez_xauth_answer a;
	memset(&a, 0, sizeof(a));
	snprintf(a.ezvpn, sizeof(a.ezvpn), "%s", ez);
	snprintf(a.user, sizeof(a.user), "%s", user);
	snprintf(a.password, sizeof(a.password), "%s", pw);
	return ezp_answer(&conf, &a, res, now);
}

static void cancel(const char *ez, uint32_t sa_id)
{
	struct msg_ez_xauth_req rq;
	memset(&rq, 0, sizeof(rq));
	rq.sa_id = sa_id;
	snprintf(rq.ezvpn, sizeof(rq.ezvpn), "%s", ez);
	ezp_cancel(&rq);
}

Test(ez_prompt, held_then_answered_once)
{
	struct msg_ez_xauth_res r;
	time_t now = time(NULL);
	cr_expect_eq(answer("inter", "cisco", "pw", now, &r), EZX_NONE_PENDING, "nothing held yet");
	cr_assert_eq(ask("inter", 41), KEY_PENDING);
	cr_expect_eq(answer("loc", "cisco", "pw", now, &r), EZX_NOT_INTERACTIVE);
	cr_expect_eq(answer("nosuch", "cisco", "pw", now, &r), EZX_NONE_PENDING);
	cr_expect_eq(answer("inter", "", "pw", now, &r), EZX_NONE_PENDING, "no user");
	cr_assert_eq(answer("inter", "cisco", "s3cret", now, &r), EZX_SENT);
	cr_expect_eq(r.sa_id, 41u, "for the SA that asked");
	cr_expect_eq(r.status, KEY_OK);
	cr_expect_str_eq(r.user, "cisco");
	cr_expect_str_eq(r.password, "s3cret");
	cr_expect_eq(answer("inter", "cisco", "again", now, &r), EZX_NONE_PENDING, "only once");
	cr_expect_eq(r.password[0], '\0');
}

Test(ez_prompt, a_newer_request_replaces_the_held_one)
{
	struct msg_ez_xauth_res r;
	cr_assert_eq(ask("inter", 5), KEY_PENDING);
	cr_assert_eq(ask("inter", 6), KEY_PENDING);
	cr_assert_eq(answer("inter", "u", "p", time(NULL), &r), EZX_SENT);
	cr_expect_eq(r.sa_id, 6u);
}

Test(ez_prompt, withdrawn_by_cancel_reload_and_time)
{
	struct msg_ez_xauth_res r;
	time_t now = time(NULL);
	cr_assert_eq(ask("inter", 7), KEY_PENDING);
	cancel("inter", 8);
	cancel("loc", 7);
	cr_assert_eq(answer("inter", "u", "p", now, &r), EZX_SENT, "another SA's cancel is not this one's");
	cr_assert_eq(ask("inter", 9), KEY_PENDING);
	cancel("inter", 9);
	cr_expect_eq(answer("inter", "u", "p", now, &r), EZX_NONE_PENDING, "cancelled");
	/* a reload that makes it local */
	cr_assert_eq(ask("inter", 10), KEY_PENDING);
	conf.ezvpn[0].xauth_local = 1;
	ezp_reload(&conf);
	conf.ezvpn[0].xauth_local = 0;
	cr_expect_eq(answer("inter", "u", "p", now, &r), EZX_NONE_PENDING, "void after the reload");
	/* nobody answered within the prompt's time (ikemgr's CANCEL lost) */
	cr_assert_eq(ask("inter", 11), KEY_PENDING);
	cr_expect_eq(answer("inter", "u", "p", now + MSG_EZ_PROMPT_WAIT + 6, &r), EZX_NONE_PENDING);
}

Test(ez_prompt, local_mode_answers_at_once)
{
	cr_expect_eq(ask("nosuch", 3), KEY_NO_KEY);
	struct msg_ez_xauth_req rq;
	struct msg_ez_xauth_res res;
	memset(&rq, 0, sizeof(rq));
	snprintf(rq.ezvpn, sizeof(rq.ezvpn), "loc");
	rq.peer.sin.sin_family = AF_INET;
	inet_pton(AF_INET, "172.18.143.246", &rq.peer.sin.sin_addr);
	keymgr_ez_xauth(&conf, &rq, &res);
	cr_expect_eq(res.status, KEY_OK);
	cr_expect_str_eq(res.password, "cisco123");
	/* interactive toward a stranger: refused, nothing held */
	inet_pton(AF_INET, "198.51.100.9", &rq.peer.sin.sin_addr);
	snprintf(rq.ezvpn, sizeof(rq.ezvpn), "inter");
	keymgr_ez_xauth(&conf, &rq, &res);
	cr_expect_eq(res.status, KEY_NO_KEY);
	struct msg_ez_xauth_res r;
	cr_expect_eq(answer("inter", "u", "p", time(NULL), &r), EZX_NONE_PENDING);
}

Test(ez_prompt, hex_words)
{
	char all[256], hex[512], back[256];
	for (int k = 0; k < 255; k++)
		all[k] = (char)(k + 1);
	all[255] = '\0';
	cr_assert_eq(hexword_encode(all, hex, sizeof(hex)), 0);
	cr_expect_eq(strlen(hex), 510u);
	cr_expect_eq(strspn(hex, "0123456789abcdef"), 510u, "one word, no blank");
	cr_assert_eq(hexword_decode(hex, back, sizeof(back)), 0);
	cr_expect_str_eq(back, all);
	cr_expect_eq(hexword_encode(all, hex, 510), -1, "no room for the NUL");
	cr_expect_eq(hexword_decode(hex, back, 255), -1, "longer than the buffer");
	cr_assert_eq(hexword_encode("", hex, sizeof(hex)), 0);
	cr_expect_str_eq(hex, "-");
	cr_assert_eq(hexword_decode("-", back, sizeof(back)), 0);
	cr_expect_str_eq(back, "");
	cr_assert_eq(hexword_decode("4A6b", back, sizeof(back)), 0);
	cr_expect_str_eq(back, "Jk");
	static const char *const bad[] = { "", "6", "61 62", "6g", "0061", "--", "6100" };
	for (size_t k = 0; k < sizeof(bad) / sizeof(bad[0]); k++) {
		memset(back, 'x', sizeof(back));
		cr_expect_eq(hexword_decode(bad[k], back, sizeof(back)), -1, "'%s'", bad[k]);
		cr_expect_neq(back[0], 'a', "'%s': nothing decoded is left", bad[k]);
	}
}
