using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http;

namespace CityNode.Serve;

/// <summary>
/// The fleet view's door: a token the operator keeps in a file (<c>--fleet-token-file</c>), given
/// once in the login form (then an HttpOnly, SameSite=Strict cookie holding an HMAC of it, never the
/// token) or as <c>Authorization: Bearer</c> by scripts. No token file: the fleet is refused to all.
/// </summary>
internal sealed class FleetAuth(string? token)
{
    public const string CookieName = "citynode_fleet";
    public const int MinTokenLength = 16;

    public bool Enabled => token is not null;

    /// <summary>The token from its file (first line, trimmed), or null without a file.</summary>
    public static string? ReadToken(string? path)
    {
        if (path is null)
        {
            return null;
        }

        if (!File.Exists(path))
        {
            throw new FormatException($"--fleet-token-file {path}: no such file (make one: head -c 24 /dev/urandom | base64 > {path}; chmod 600 {path})");
        }

        string t = File.ReadAllLines(path).FirstOrDefault()?.Trim() ?? "";
        if (t.Length < MinTokenLength)
        {
            throw new FormatException($"--fleet-token-file {path}: the token must be at least {MinTokenLength} characters on the first line (e.g. head -c 24 /dev/urandom | base64 > {path})");
        }

        return t;
    }

    public bool Check(string? given) => token is not null && given is not null && Same(given, token);

    public bool Allowed(HttpContext ctx)
    {
        if (token is null)
        {
            return false;
        }

        string auth = ctx.Request.Headers.Authorization.ToString();
        if (auth.StartsWith("Bearer ", StringComparison.Ordinal) && Check(auth[7..].Trim()))
        {
            return true;
        }

        return ctx.Request.Cookies.TryGetValue(CookieName, out string? c) && Same(c, Session());
    }

    public void SignIn(HttpContext ctx) => ctx.Response.Cookies.Append(CookieName, Session(), new CookieOptions
    {
        HttpOnly = true,
        SameSite = SameSiteMode.Strict,
        Secure = ctx.Request.IsHttps,
        Path = "/fleet",
        MaxAge = TimeSpan.FromHours(12),
    });

    public static void SignOut(HttpContext ctx) => ctx.Response.Cookies.Delete(CookieName, new CookieOptions { Path = "/fleet" });

    /// <summary>The cookie: an HMAC of a fixed text under the token, so the token itself never travels again.</summary>
    private string Session() => Convert.ToHexString(HMACSHA256.HashData(Encoding.UTF8.GetBytes(token!), "citynode fleet session 1"u8));

    // Hashes first, so the comparison takes the same time whatever the lengths.
    private static bool Same(string a, string b) =>
        CryptographicOperations.FixedTimeEquals(SHA256.HashData(Encoding.UTF8.GetBytes(a)), SHA256.HashData(Encoding.UTF8.GetBytes(b)));
}
