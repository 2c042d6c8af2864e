/*
 * The algorithm vocabulary (common/alg.c): every row is found again by each of its keys, no
 * two rows share one, and the wire IDs and lengths are the RFCs' (RFC 2407 for IKEv1, the IANA
 * IKEv2 registry for RFC 7296, RFC 2404/4868 for HMAC keys and ICVs, RFC 4106 for GCM). The
 * ikemgr aliases (ESP_ID_*, IPSEC_AUTH_HMAC_*) must stay equal to the table.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "common/alg.h"
#include "ikemgr/isakmp.h"
#include "test/unit/confload.h"

Test(alg, esp_encr_rows_round_trip)
{
	for (size_t k = 0; k < alg_esp_encr_n; k++) {
		const struct alg_esp_encr *e = &alg_esp_encr_tbl[k];
		cr_expect_eq(alg_esp_encr(e->id), e);
		cr_expect_eq(alg_esp_encr_word(e->word), e, "%s", e->word);
		cr_expect_eq(alg_esp_encr_v1(e->v1_id), e, "%s", e->word);
		cr_expect_eq(alg_esp_encr_v2(e->v2_id), e, "%s", e->word);
		cr_expect(e->block >= 4 && e->block % 4 == 0, "%s", e->word);
		for (int b = 0; b < ALG_NBITS && e->conf_bits[b]; b++)
			cr_expect_eq(esp_cipher_key_bytes(e->id, e->conf_bits[b]),
			             (size_t)e->conf_bits[b] / 8, "%s %d", e->word, e->conf_bits[b]);
		for (int b = 0; b < ALG_NBITS && e->bits[b]; b++)
			cr_expect_not_null(alg_ossl(e->key_bits, e->bits, e->ossl, e->bits[b] / 8u));
	}
}

Test(alg, esp_auth_rows_round_trip)
{
	for (size_t k = 0; k < alg_esp_auth_n; k++) {
		const struct alg_esp_auth *a = &alg_esp_auth_tbl[k];
		cr_expect_eq(alg_esp_auth(a->id), a);
		cr_expect_eq(alg_esp_auth_word(a->word), a, "%s", a->word);
		cr_expect_eq(alg_esp_auth_v1(a->v1_id), a, "%s", a->word);
		cr_expect_eq(alg_esp_auth_v2(a->v2_id), a, "%s", a->word);
		cr_expect_eq(esp_integ_key_bytes(a->id), a->key);
		/* RFC 4868: the ICV is half the output, except the 96-bit RFC 2403/2404 ones */
		cr_expect_eq(a->icv, a->key <= 20 ? 12 : a->key / 2, "%s", a->word);
		cr_expect_not_null(a->digest);
	}
}

Test(alg, ike_rows_round_trip)
{
	for (size_t k = 0; k < alg_ike_encr_n; k++) {
		const struct alg_ike_encr *e = &alg_ike_encr_tbl[k];
		cr_expect_eq(alg_ike_encr(e->id), e);
		cr_expect_eq(alg_ike_encr_word(e->word), e, "%s", e->word);
		cr_expect_eq(alg_ike_encr_v2(e->v2_id), e, "%s", e->word);
		cr_expect_not_null(e->show);
	}
	for (size_t k = 0; k < alg_ike_hash_n; k++) {
		const struct alg_ike_hash *h = &alg_ike_hash_tbl[k];
		cr_expect_eq(alg_ike_hash(h->id), h);
		cr_expect_eq(alg_ike_hash_word(h->word), h, "%s", h->word);
		cr_expect_eq(alg_ike_hash_v2(h->v2_prf), h, "%s", h->word);
		cr_expect_not_null(h->show);
	}
	for (size_t k = 0; k < alg_ike_auth_n; k++) {
		const struct alg_ike_auth *a = &alg_ike_auth_tbl[k];
		cr_expect_eq(alg_ike_auth(a->id), a);
		cr_expect_eq(alg_ike_auth_word(a->word), a, "%s", a->word);
	}
	for (size_t k = 0; k < alg_dh_n; k++)
		cr_expect_eq(alg_dh(alg_dh_tbl[k].group), &alg_dh_tbl[k]);
}

Test(alg, no_two_rows_share_a_key)
{
	for (size_t i = 0; i < alg_esp_encr_n; i++)
		for (size_t j = i + 1; j < alg_esp_encr_n; j++) {
			const struct alg_esp_encr *a = &alg_esp_encr_tbl[i], *b = &alg_esp_encr_tbl[j];
			cr_expect(a->id != b->id && strcmp(a->word, b->word) &&
			          a->v1_id != b->v1_id && a->v2_id != b->v2_id);
		}
	for (size_t i = 0; i < alg_esp_auth_n; i++)
		for (size_t j = i + 1; j < alg_esp_auth_n; j++) {
			const struct alg_esp_auth *a = &alg_esp_auth_tbl[i], *b = &alg_esp_auth_tbl[j];
			cr_expect(a->id != b->id && strcmp(a->word, b->word) &&
			          a->v1_id != b->v1_id && a->v2_id != b->v2_id);
		}
	for (size_t i = 0; i < alg_ike_hash_n; i++)
		for (size_t j = i + 1; j < alg_ike_hash_n; j++)
			cr_expect(strcmp(alg_ike_hash_tbl[i].word, alg_ike_hash_tbl[j].word) &&
			          alg_ike_hash_tbl[i].v2_prf != alg_ike_hash_tbl[j].v2_prf);
	for (size_t i = 0; i < alg_dh_n; i++)
		for (size_t j = i + 1; j < alg_dh_n; j++)
			cr_expect_neq(alg_dh_tbl[i].group, alg_dh_tbl[j].group);
}

Test(alg, wire_ids_are_the_rfcs)
{
	static const struct { int id, v1, v2; } encr[] = {
		{ ESP_ENCR_DES, 2, 2 }, { ESP_ENCR_3DES, 3, 3 }, { ESP_ENCR_NULL, 11, 11 },
		{ ESP_ENCR_AES_CBC, 12, 12 }, { ESP_ENCR_AES_GCM16, 20, 20 },
	};
	static const struct { int id, v1, v2; } auth[] = {
		{ ESP_AUTH_HMAC_MD5_96, 1, 1 }, { ESP_AUTH_HMAC_SHA1_96, 2, 2 },
		{ ESP_AUTH_HMAC_SHA256_128, 5, 12 }, { ESP_AUTH_HMAC_SHA384_192, 6, 13 },
		{ ESP_AUTH_HMAC_SHA512_256, 7, 14 },
	};
	static const struct { int id, prf; } prf[] = {
		{ IKE_HASH_MD5, 1 }, { IKE_HASH_SHA1, 2 }, { IKE_HASH_SHA256, 5 },
		{ IKE_HASH_SHA384, 6 }, { IKE_HASH_SHA512, 7 },
	};

	cr_assert_eq(alg_esp_encr_n, 5);
	for (size_t k = 0; k < 5; k++) {
		cr_expect_eq(alg_esp_encr(encr[k].id)->v1_id, encr[k].v1);
		cr_expect_eq(alg_esp_encr(encr[k].id)->v2_id, encr[k].v2);
		cr_expect_eq(alg_esp_auth(auth[k].id)->v1_id, auth[k].v1);
		cr_expect_eq(alg_esp_auth(auth[k].id)->v2_id, auth[k].v2);
		cr_expect_eq(alg_ike_hash(prf[k].id)->v2_prf, prf[k].prf);
	}
	cr_expect_eq(alg_ike_encr(IKE_ENCR_DES)->v2_id, 2);
	cr_expect_eq(alg_ike_encr(IKE_ENCR_3DES)->v2_id, 3);
	cr_expect_eq(alg_ike_encr(IKE_ENCR_AES)->v2_id, 12);
	/* ikemgr's names for the same wire values */
	cr_expect_eq(alg_esp_encr_v1(ESP_ID_DES)->id, ESP_ENCR_DES);
	cr_expect_eq(alg_esp_encr_v1(ESP_ID_3DES)->id, ESP_ENCR_3DES);
	cr_expect_eq(alg_esp_encr_v1(ESP_ID_NULL)->id, ESP_ENCR_NULL);
	cr_expect_eq(alg_esp_encr_v1(ESP_ID_AES_CBC)->id, ESP_ENCR_AES_CBC);
	cr_expect_eq(alg_esp_encr_v1(ESP_ID_AES_GCM16)->id, ESP_ENCR_AES_GCM16);
	cr_expect_eq(alg_esp_auth_v1(IPSEC_AUTH_HMAC_MD5)->id, ESP_AUTH_HMAC_MD5_96);
	cr_expect_eq(alg_esp_auth_v1(IPSEC_AUTH_HMAC_SHA)->id, ESP_AUTH_HMAC_SHA1_96);
	cr_expect_eq(alg_esp_auth_v1(IPSEC_AUTH_HMAC_SHA256)->id, ESP_AUTH_HMAC_SHA256_128);
	cr_expect_eq(alg_esp_auth_v1(IPSEC_AUTH_HMAC_SHA384)->id, ESP_AUTH_HMAC_SHA384_192);
	cr_expect_eq(alg_esp_auth_v1(IPSEC_AUTH_HMAC_SHA512)->id, ESP_AUTH_HMAC_SHA512_256);
	cr_expect_null(alg_esp_encr_v1(0));
	cr_expect_null(alg_esp_auth_v1(3));     /* DES-MAC */
	cr_expect_null(alg_esp_encr_word(NULL));
}

Test(alg, key_lengths_are_the_rfcs)
{
	cr_expect_eq(esp_cipher_key_bytes(ESP_ENCR_DES, 0), 8);
	cr_expect_eq(esp_cipher_key_bytes(ESP_ENCR_3DES, 0), 24);
	cr_expect_eq(esp_cipher_key_bytes(ESP_ENCR_AES_CBC, 0), 16);
	cr_expect_eq(esp_cipher_key_bytes(ESP_ENCR_AES_CBC, 192), 24);
	cr_expect_eq(esp_cipher_key_bytes(ESP_ENCR_AES_CBC, 256), 32);
	cr_expect_eq(esp_cipher_key_bytes(ESP_ENCR_AES_CBC, 64), 0);
	cr_expect_eq(esp_cipher_key_bytes(ESP_ENCR_AES_GCM16, 256), 32);
	cr_expect_eq(esp_cipher_key_bytes(ESP_ENCR_NULL, 0), 0);
	cr_expect_eq(esp_cipher_key_bytes(99, 128), 0);
	cr_expect_eq(alg_esp_encr(ESP_ENCR_AES_GCM16)->salt, 4);
	cr_expect_eq(alg_esp_encr(ESP_ENCR_AES_GCM16)->icv, 16);
	cr_expect_eq(alg_esp_encr(ESP_ENCR_AES_GCM16)->iv, 8);
	cr_expect_eq(alg_esp_encr(ESP_ENCR_AES_CBC)->iv, 16);
	cr_expect_eq(esp_integ_key_bytes(ESP_AUTH_HMAC_SHA512_256), 64);
	cr_expect_eq(esp_integ_key_bytes(ESP_AUTH_NONE), 0);
	cr_expect_eq(alg_ike_hash(IKE_HASH_SHA384)->len, 48);
	/* the configuration takes exactly these spellings */
	cr_expect_eq(alg_bits_word(alg_esp_encr(ESP_ENCR_AES_CBC)->conf_bits, "192"), 192);
	cr_expect_eq(alg_bits_word(alg_esp_encr(ESP_ENCR_AES_GCM16)->conf_bits, "192"), 0);
	cr_expect_eq(alg_bits_word(alg_ike_encr(IKE_ENCR_AES)->bits, "0256"), 0);
	cr_expect_str_eq(alg_ossl(256, (const uint16_t[]){ 0 }, (const char *const[]){ "X" }, 32), "X");
	cr_expect_null(alg_ossl(0, (const uint16_t[]){ 0 }, (const char *const[]){ NULL }, 0));
}

Test(alg, legacy_marks)
{
	cr_expect(alg_esp_encr_word("esp-des")->legacy && alg_esp_encr_word("esp-3des")->legacy);
	cr_expect(!alg_esp_encr_word("esp-aes")->legacy);
	cr_expect(alg_esp_auth_word("esp-md5-hmac")->legacy);
	cr_expect(!alg_esp_auth_word("esp-sha-hmac")->legacy);
	cr_expect(alg_ike_hash_word("md5")->legacy && !alg_ike_hash_word("sha")->legacy);
	for (size_t k = 0; k < alg_dh_n; k++)
		cr_expect_eq(alg_dh_tbl[k].legacy, alg_dh_tbl[k].group < 14);
	cr_expect_null(alg_dh(3));
	cr_expect_str_eq(alg_dh(14)->show, "#14 (2048 bit)");
}

/* The parser reads every configuration word (and key length) back to its row. */
Test(alg, config_words_parse_to_their_rows, .init = confload_setup, .fini = confload_teardown)
{
	char text[512];

	for (size_t k = 0; k < alg_esp_encr_n; k++) {
		const struct alg_esp_encr *e = &alg_esp_encr_tbl[k];
		const char *auth = e->icv ? "" : " esp-sha-hmac";
		for (int b = -1; b < ALG_NBITS && (b < 0 || e->conf_bits[b]); b++) {
			char bits[8] = "";
			if (b >= 0)
				snprintf(bits, sizeof(bits), " %u", e->conf_bits[b]);
			snprintf(text, sizeof(text), "crypto ipsec transform-set T %s%s%s\n", e->word,
			         bits, auth);
			cr_assert_eq(load_str(text), 0, "%s", text);
			cr_expect_eq(conf_find_tset(conf, "T")->encr, e->id, "%s", text);
			cr_expect_eq(conf_find_tset(conf, "T")->keylen,
			             b >= 0 ? e->conf_bits[b] : e->bits[0] ? e->key_bits : 0, "%s", text);
			cr_expect_eq(find_msg("legacy", NULL) >= 0, e->legacy, "%s", text);
		}
	}
	for (size_t k = 0; k < alg_esp_auth_n; k++) {
		snprintf(text, sizeof(text), "crypto ipsec transform-set T esp-aes %s\n",
		         alg_esp_auth_tbl[k].word);
		cr_assert_eq(load_str(text), 0, "%s", text);
		cr_expect_eq(conf_find_tset(conf, "T")->auth, alg_esp_auth_tbl[k].id, "%s", text);
		cr_expect_eq(find_msg("legacy", NULL) >= 0, alg_esp_auth_tbl[k].legacy, "%s", text);
	}
	for (size_t k = 0; k < alg_ike_encr_n; k++) {
		const struct alg_ike_encr *e = &alg_ike_encr_tbl[k];
		snprintf(text, sizeof(text), "crypto isakmp policy 1\n encr %s\n hash sha\n", e->word);
		cr_assert_eq(load_str(text), 0, "%s", text);
		cr_expect_eq(conf->policy[0].encr, e->id, "%s", text);
		cr_expect_eq(conf->policy[0].keylen, e->bits[0] ? e->key_bits : 0, "%s", text);
	}
	for (size_t k = 0; k < alg_ike_hash_n; k++) {
		snprintf(text, sizeof(text), "crypto isakmp policy 1\n hash %s\n",
		         alg_ike_hash_tbl[k].word);
		cr_assert_eq(load_str(text), 0, "%s", text);
		cr_expect_eq(conf->policy[0].hash, alg_ike_hash_tbl[k].id, "%s", text);
	}
	for (size_t k = 0; k < alg_ike_auth_n; k++) {
		snprintf(text, sizeof(text), "crypto isakmp policy 1\n authentication %s\n",
		         alg_ike_auth_tbl[k].word);
		load_str(text);     /* a signature method may want a trustpoint: only the word counts */
		cr_expect_eq(conf->policy[0].auth, alg_ike_auth_tbl[k].id, "%s", text);
	}
	for (size_t k = 0; k < alg_dh_n; k++) {
		snprintf(text, sizeof(text), "crypto isakmp policy 1\n group %d\n", alg_dh_tbl[k].group);
		cr_assert_eq(load_str(text), 0, "%s", text);
		cr_expect_eq(conf->policy[0].group, alg_dh_tbl[k].group, "%s", text);
		cr_expect_eq(find_msg("legacy", NULL) >= 0, alg_dh_tbl[k].legacy, "%s", text);
	}
}

/* IKEv2 proposal words (crypto ikev2 proposal): RFC 7296 / IANA transform IDs, and each row
 * found again by its word and by its ID */
Test(alg, ikev2_proposal_rows)
{
	static const struct { const char *w; int id, bits, aead; } encr[] = {
		{ "aes-cbc-128", 12, 128, 0 }, { "aes-cbc-192", 12, 192, 0 },
		{ "aes-cbc-256", 12, 256, 0 }, { "aes-gcm-128", 20, 128, 1 },
		{ "aes-gcm-256", 20, 256, 1 }, { "3des", 3, 0, 0 },
	};
	static const struct { const char *w; int integ, prf; } hash[] = {
		{ "md5", 1, 1 }, { "sha1", 2, 2 }, { "sha256", 12, 5 }, { "sha384", 13, 6 },
		{ "sha512", 14, 7 },
	};
	cr_expect_eq(alg_v2_encr_n, sizeof(encr) / sizeof(encr[0]));
	for (size_t k = 0; k < sizeof(encr) / sizeof(encr[0]); k++) {
		const struct alg_v2_encr *e = alg_v2_encr_word(encr[k].w);
		cr_assert_not_null(e, "%s", encr[k].w);
		cr_expect_eq(e->v2_id, encr[k].id, "%s", encr[k].w);
		cr_expect_eq(e->bits, encr[k].bits, "%s", encr[k].w);
		cr_expect_eq(e->aead, encr[k].aead, "%s", encr[k].w);
		cr_expect_eq(alg_v2_encr(e->v2_id, e->bits), e, "%s", encr[k].w);
		cr_expect_eq(e->legacy, encr[k].id == 3, "%s", encr[k].w);
	}
	for (size_t k = 0; k < sizeof(hash) / sizeof(hash[0]); k++) {
		const struct alg_v2_integ *i = alg_v2_integ_word(hash[k].w);
		const struct alg_v2_prf *p = alg_v2_prf_word(hash[k].w);
		cr_assert(i && p, "%s", hash[k].w);
		cr_expect_eq(i->v2_id, hash[k].integ, "%s", hash[k].w);
		cr_expect_eq(p->v2_id, hash[k].prf, "%s", hash[k].w);
		cr_expect_eq(alg_v2_integ(i->v2_id), i);
		cr_expect_eq(alg_v2_prf(p->v2_id), p);
		/* the same legacy verdict as the IKEv1 and ESP rows: MD5 only */
		cr_expect_eq(i->legacy, k == 0);
		cr_expect_eq(p->legacy, k == 0);
	}
	cr_expect_null(alg_v2_encr_word("aes"));
	cr_expect_null(alg_v2_integ_word("sha"));
	/* group 24 for IKEv2 only, legacy (RFC 8247); the others are alg_dh's rows */
	cr_assert_not_null(alg_v2_dh(24));
	cr_expect_eq(alg_v2_dh(24)->legacy, 1);
	cr_expect_null(alg_dh(24));
	cr_expect_eq(alg_v2_dh(14), alg_dh(14));
	cr_expect_null(alg_v2_dh(22));
}
