namespace CityNode.Config
{
    /// <summary>
    /// A broker URL, <c>mqtt://[userinfo@]host[:port]</c> or <c>mqtts://...</c> (TLS): the one parser
    /// of the node's mqtt.broker and the host tools' --broker (CityNode.Host.Mqtt.BrokerAddress). The
    /// default ports are IANA's for MQTT: 1883, and 8883 over TLS. A path is not part of an MQTT
    /// broker's address and is refused.
    /// </summary>
    public sealed class BrokerUrl
    {
        public const int DefaultPort = 1883;
        public const int DefaultTlsPort = 8883;
        public const string Scheme = "mqtt://";
        public const string TlsScheme = "mqtts://";

        private BrokerUrl(bool tls, string userInfo, string host, int port)
        {
            Tls = tls;
            UserInfo = userInfo;
            Host = host;
            Port = port;
        }

        public bool Tls { get; private set; }

        /// <summary>What stands before '@' (user[:password], still %-escaped), or null.</summary>
        public string UserInfo { get; private set; }

        /// <summary>Host name or address (an IPv6 address in brackets, as written).</summary>
        public string Host { get; private set; }

        public int Port { get; private set; }

        /// <summary>Whether the text starts with mqtt:// or mqtts://.</summary>
        public static bool HasScheme(string url)
        {
            return url != null && (StartsWith(url, Scheme) || StartsWith(url, TlsScheme));
        }

        /// <summary>The parts of a broker URL, or null when it is not one (scheme, empty host, a path, a port outside 1..65535).</summary>
        public static BrokerUrl Parse(string url)
        {
            if (!HasScheme(url))
            {
                return null;
            }

            bool tls = StartsWith(url, TlsScheme);
            int start = tls ? TlsScheme.Length : Scheme.Length;
            if (url.IndexOf('/', start) >= 0)
            {
                return null;
            }

            string userInfo = null;
            int at = url.LastIndexOf('@');
            if (at >= start)
            {
                userInfo = url.Substring(start, at - start);
                start = at + 1;
            }

            // An IPv6 literal carries its colons inside brackets (RFC 3986 §3.2.2).
            int hostEnd = url.Length;
            if (start < url.Length && url[start] == '[')
            {
                int close = url.IndexOf(']', start);
                if (close < 0)
                {
                    return null;
                }

                hostEnd = close + 1;
            }
            else
            {
                int colon = url.IndexOf(':', start);
                hostEnd = colon < 0 ? url.Length : colon;
            }

            if (hostEnd == start)
            {
                return null;
            }

            long port = tls ? DefaultTlsPort : DefaultPort;
            if (hostEnd < url.Length && (url[hostEnd] != ':' || !ValueParser.TryInteger(url.Substring(hostEnd + 1), 1, 65535, out port)))
            {
                return null;
            }

            return new BrokerUrl(tls, userInfo, url.Substring(start, hostEnd - start), (int)port);
        }

        private static bool StartsWith(string s, string prefix)
        {
            if (s.Length < prefix.Length)
            {
                return false;
            }

            for (int i = 0; i < prefix.Length; i++)
            {
                if (s[i] != prefix[i])
                {
                    return false;
                }
            }

            return true;
        }
    }
}
