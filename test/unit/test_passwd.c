/* Cisco password encodings: the parser's forms (common/cisco_secret.c, conf_aaa.c) and
 * keymgr's check of a password against them (keymgr/passwd.c). The hashes are published
 * ones, made by others: the type-9 one by an ASR920 running IOS-XE 16.09 (network_hash_gen's
 * tests), the type-8 and type-9 "hashcat" ones from hashcat's example hashes (modes 9200,
 * 9300), the type-5 one an MD5-crypt checked with `openssl passwd -1`; the type-7 strings
 * are the two usually quoted for "cisco". */
#include <stdio.h>
#include <string.h>
#include <criterion/criterion.h>

#include "common/cisco_secret.h"
#include "common/conf.h"
#include "keymgr/keymgr.h"

#define T9_ASR "$9$plz/kf0e3.dns.$cKvJDd6bXmyaUWdx42dgcRwpdDs0djBEqzjlmMbYEW6"
#define T9_HC  "$9$2MJBozw/9R3UsU$2lFhcKvpghcyw8deP25GOfyZaagyUOGBymkryvOdfo6"
#define T8_HC  "$8$TnGX/fE4KGHOVU$pEhnEvxrvaynpi8j4f.EMHr6M.FzU8xnZnBr/tJdFWk"
#define T5     "$1$mERr$A419.HL58lq743wXS4kSM1"

static struct conf_user user(int type, const char *stored)
{
	struct conf_user u;
	memset(&u, 0, sizeof(u));
	snprintf(u.name, sizeof(u.name), "u");
	snprintf(u.password, sizeof(u.password), "%s", stored);
	u.encrypted_type = type;
	return u;
}

Test(passwd, type7_decoded)
{
	char out[64];
	cr_assert_eq(cisco_type7_decode("0822455D0A16", out, sizeof(out)), 0);
	cr_expect_str_eq(out, "cisco");
	cr_assert_eq(cisco_type7_decode("094F471A1A0A", out, sizeof(out)), 0);
	cr_expect_str_eq(out, "cisco");
	cr_expect_eq(cisco_type7_decode("0822455D0A1", out, sizeof(out)), -1, "odd length");
	cr_expect_eq(cisco_type7_decode("9922455D0A16", out, sizeof(out)), -1, "seed past the key");
	cr_expect_eq(cisco_type7_decode("08zz455D0A16", out, sizeof(out)), -1, "not hex");
	cr_expect_eq(cisco_type7_decode("0822455D0A16", out, 5), -1, "no room");
}

Test(passwd, hashes_checked)
{
	struct conf_user u = user(9, T9_ASR);
	cr_expect_eq(passwd_verify(&u, "0foo0"), 1);
	cr_expect_eq(passwd_verify(&u, "1foo1"), 0);
	u = user(9, T9_HC);
	cr_expect_eq(passwd_verify(&u, "hashcat"), 1);
	cr_expect_eq(passwd_verify(&u, "hashcaT"), 0);
	u = user(8, T8_HC);
	cr_expect_eq(passwd_verify(&u, "hashcat"), 1);
	cr_expect_eq(passwd_verify(&u, ""), 0);
	u = user(5, T5);
	cr_expect_eq(passwd_verify(&u, "dolphinsforever"), 1);
	cr_expect_eq(passwd_verify(&u, "dolphinsforeve"), 0);
	u = user(0, "clear text");
	cr_expect_eq(passwd_verify(&u, "clear text"), 1);
	cr_expect_eq(passwd_verify(&u, "clear tex"), 0);
	/* a type-8 hash given as type 9 (or the reverse) never matches */
	u = user(9, T8_HC);
	cr_expect_eq(passwd_verify(&u, "hashcat"), 0);
}

static struct vpnd_conf conf;
static int load(const char *text)
{
	memset(&conf, 0, sizeof(conf));
	return conf_load_buf("t.conf", text, strlen(text), &conf, NULL, NULL);
}

Test(passwd, config_forms)
{
	cr_assert_eq(load("username a secret 9 " T9_ASR "\n"
	                  "username b secret 8 " T8_HC "\n"
	                  "username c secret 5 " T5 "\n"
	                  "username d password 7 0822455D0A16\n"
	                  "username e privilege 15 secret 0 plain words\n"), 0);
	const struct conf_user *u = conf_find_user(&conf, "a");
	cr_assert_not_null(u);
	cr_expect_eq(u->encrypted_type, 9);
	cr_expect_str_eq(u->password, T9_ASR, "a hash is kept as written, never clear");
	cr_expect_eq(passwd_verify(u, "0foo0"), 1);
	cr_expect_eq(conf_find_user(&conf, "b")->encrypted_type, 8);
	cr_expect_eq(conf_find_user(&conf, "c")->encrypted_type, 5);
	u = conf_find_user(&conf, "d");
	cr_expect_eq(u->encrypted_type, 0);
	cr_expect_str_eq(u->password, "cisco", "type 7 is decoded");
	cr_expect_str_eq(conf_find_user(&conf, "e")->password, "plain words");
}

Test(passwd, config_errors)
{
	cr_expect_eq(load("username a password 9 " T9_ASR "\n"), 1, "a hash after 'password'");
	cr_expect_eq(load("username a secret 9 $9$short$abc\n"), 1, "a malformed hash");
	cr_expect_eq(load("username a secret 8 " T9_ASR "\n"), 1, "type 9 given as 8");
	cr_expect_eq(load("username a secret 4 tnhtc92DXBhelxjYk8LWJrPV36S2i4ntXrpb4RFmfqY\n"), 1,
	             "type 4 is refused");
	cr_expect_eq(load("username a secret 7 0822455D0A16\n"), 1);
	cr_expect_eq(load("username a password 7 0822455D0A1\n"), 1);
	cr_expect_eq(load("username a secret 5 $1$toolongsalt$A419.HL58lq743wXS4kSM1\n"), 1);
	cr_expect_eq(load("username a password 6 abc\n"), 1, "type 6 is not a user form");
}
