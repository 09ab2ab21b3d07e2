/**
 * AWS credentials work for the stack's region: STS GetCallerIdentity in `aws:region` of the stack file, with
 * the credentials the update will use (the runner's instance role in CI, your profile by hand). The CLI
 * makes the call; this judges its answer.
 */
import { type CheckLine, fail, pass } from "./check";

export type AwsFact =
    | { readonly kind: "identity"; readonly region: string; readonly endpoint?: string; readonly account?: string; readonly arn?: string }
    | {
          readonly kind: "error";
          readonly region: string;
          readonly endpoint?: string;
          readonly name: string;
          readonly message: string;
          readonly status?: number;
      };

const NO_CREDENTIALS = /CredentialsProviderError|Could not load credentials|ProviderError/;
const BAD_KEY = /^(InvalidClientTokenId|SignatureDoesNotMatch|UnrecognizedClientException|IncompleteSignature|InvalidAccessKeyId)$/;
const EXPIRED = /^(ExpiredToken|ExpiredTokenException|RequestExpired|TokenRefreshRequired)$/;
const NETWORK = /ECONNREFUSED|ENOTFOUND|EAI_AGAIN|ETIMEDOUT|ECONNRESET|EHOSTUNREACH|ENETUNREACH|TimeoutError|socket hang up|connect/i;

export function checkAwsCredentials(fact: AwsFact): CheckLine {
    const name = "aws";
    const where = `STS in ${fact.region}${fact.endpoint ? ` at ${fact.endpoint} (AWS_ENDPOINT_URL)` : ""}`;
    if (fact.kind === "identity") {
        if (!fact.account || !fact.arn)
            return fail(
                name,
                `${where} answered without an account or ARN: cannot tell whose credentials these are`,
                "check AWS_ENDPOINT_URL points at STS (or unset it)",
            );
        return pass(name, `${where}: ${fact.arn} (account ${fact.account})`);
    }
    const seen = `${where} refused GetCallerIdentity: ${fact.name}: ${fact.message}`;
    if (NO_CREDENTIALS.test(fact.name) || NO_CREDENTIALS.test(fact.message)) {
        return fail(
            name,
            `${where}: no AWS credentials found (${fact.message})`,
            "on the deploy runner attach the deploy role to the runner's instance profile (docs/deploying.md); by hand export AWS_PROFILE or run `aws sso login`",
        );
    }
    if (BAD_KEY.test(fact.name))
        return fail(
            name,
            seen,
            "the access key is not valid for this account: use the runner's instance role or a current profile, and unset stale AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY",
        );
    if (EXPIRED.test(fact.name))
        return fail(name, seen, "the session expired: refresh it (`aws sso login`, or a new role session) and run the preflight again");
    if (/AccessDenied/.test(fact.name))
        return fail(name, seen, "the role may not call sts:GetCallerIdentity in this region: check the role's policies and SCPs for the stack's aws:region");
    if (NETWORK.test(fact.name) || NETWORK.test(fact.message)) {
        return fail(
            name,
            `${where} did not answer: ${fact.name}: ${fact.message}`,
            `give the runner outbound https to sts.${fact.region}.amazonaws.com (NAT gateway or an STS VPC endpoint), or fix AWS_ENDPOINT_URL`,
        );
    }
    return fail(name, seen, "fix the credentials or the region named above, then run the preflight again");
}
