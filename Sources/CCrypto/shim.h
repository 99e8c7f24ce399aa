// OpenSSL 3 libcrypto (Debian libssl-dev): SM3 and SM4 from the default provider, HMAC through EVP_MAC.
#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/params.h>
#include <openssl/rand.h>

// An HMAC context keyed with `key` over SM3, ready for EVP_MAC_update; NULL on failure (the reason is on
// OpenSSL's error queue). Building the OSSL_PARAM list is plain C; from Swift it would be pointer juggling.
static inline EVP_MAC_CTX *citygeo_hmac_sm3_new(const unsigned char *key, size_t key_length) {
    EVP_MAC *mac = EVP_MAC_fetch(NULL, "HMAC", NULL);
    if (mac == NULL) return NULL;
    EVP_MAC_CTX *context = EVP_MAC_CTX_new(mac);
    EVP_MAC_free(mac);  // the context holds its own reference
    if (context == NULL) return NULL;
    char digest[] = "SM3";
    OSSL_PARAM params[] = {
        OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest, 0),
        OSSL_PARAM_construct_end(),
    };
    if (EVP_MAC_init(context, key, key_length, params) != 1) {
        EVP_MAC_CTX_free(context);
        return NULL;
    }
    return context;
}
