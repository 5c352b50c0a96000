using System.Net.Sockets;
using CityNode.NanoTwin;

namespace nanoFramework.Networking;

/// <summary>
/// The native Wi-Fi side of nanoFramework on ESP32 (nf-interpreter targets/ESP32 + ESP-IDF 5.5.4 +
/// lwIP), under the managed twins of System.Device.Wifi, System.Net and Networking.Sntp: the saved
/// wireless configuration, the boot-time start and auto-join, association with its background
/// retries, DHCP, DNS, and the SNTP client that sets the RTC. The driver state is RAM (lost at every
/// reset); the saved configuration is in <see cref="TwinBoard.Nvs"/>.
/// <para>
/// Time is virtual and moves only when the program's thread books it, so the background work
/// (association retries, DHCP, SNTP) is caught up by <see cref="Progress"/> whenever a twin API is
/// called; the radio state is booked from there on.
/// </para>
/// </summary>
internal static class WifiTwin
{
    // Modelled durations (ms). Active scan ~120 ms per channel until the AP's channel, then
    // authentication + association + 4-way handshake 600–700 ms at 240 MHz (esp32.com viewtopic t=8942,
    // measured with a power monitor); DHCP on a LAN is a few round trips.
    internal const int ScanHitMs = 500;
    internal const int AssocMs = 700;
    internal const int DhcpMs = 300;

    // No AP: the connect scan covers all 13 channels (~120 ms each) and ends in WIFI_REASON_NO_AP_FOUND.
    internal const int ScanMissMs = 13 * 120;

    // Wrong password: the AP's 4-way handshake messages go unanswered until WIFI_REASON_4WAY_HANDSHAKE_TIMEOUT.
    internal const int HandshakeFailMs = ScanHitMs + AssocMs + 2000;

    // NativeConnect waits up to 20 s for the connect result whatever the token:
    // nf-interpreter targets/ESP32/_nanoCLR/System.Device.Wifi/sys_dev_wifi_native_System_Device_Wifi_WifiAdapter.cpp
    // NativeConnect: hbTimeout.SetInteger((CLR_INT64)20000 * TIME_CONVERSION__TO_MILLISECONDS).
    internal const int NativeConnectTimeoutMs = 20000;

    // SNTP: lwIP sends the first request after SNTP_STARTUP_DELAY_FUNC = LWIP_RAND() % 5000 ms (nanoFramework
    // defines SNTP_STARTUP_DELAY 2000 in src/DeviceInterfaces/Networking.Sntp/lwip_sntp_default_options.h and not
    // the _FUNC, so lwIP's sntp_opts.h default applies); a reply is one round trip. Update every hour
    // (CONFIG_LWIP_SNTP_UPDATE_DELAY 3600000); no reply: the other server after SNTP_RECV_TIMEOUT 15 s,
    // then SNTP_RETRY_TIMEOUT 900 s (lwip_sntp_default_options.h).
    internal const int SntpStartupDelayMaxMs = 5000;
    internal const int SntpRoundTripMs = 50;
    internal const int SntpUpdateMs = 3_600_000;
    internal const int SntpRecvTimeoutMs = 15_000;
    internal const int SntpRetryMs = 900_000;

    // lwIP DNS: one query round trip; no answer: DNS_MAX_RETRIES (4) with a 1 s timer growing per retry.
    internal const int DnsRoundTripMs = 40;
    internal const int DnsGiveUpMs = 7000;

    private const string ConfigKey = "nf.wireless80211.0";
    private const string StateKey = "nf.wifi.native";

    /// <summary>Hooks the firmware's start-up into the board: call once per board (TwinFirmware.Install).</summary>
    internal static void Install(TwinBoard board)
    {
        board.Booting += Boot;
        board.LightSlept += AfterLightSleep;
    }

    // Light sleep powers the RF down without telling the AP (ESP-IDF docs sleep_modes.rst: Wi-Fi connections are
    // not maintained in light sleep unless the driver's own power save does it): a station that hears no beacon
    // for its inactive time, 6 s by default (esp_wifi.h esp_wifi_set_inactive_time), disconnects, and the driver
    // reconnects while IsToConnect.
    internal const int BeaconInactiveMs = 6000;

    private static void AfterLightSleep(TwinBoard board, long ms)
    {
        var st = State(board);
        if (st.Started && st.Associated && ms > BeaconInactiveMs)
        {
            st.Associated = false;
            st.IpAt = long.MaxValue;
            st.NextAttemptAt = st.IsToConnect ? board.Time.NowMs : long.MaxValue;
            Progress(board);
        }
    }

    /// <summary>The saved Wireless80211 configuration block (ssid, password, options).</summary>
    internal sealed class SavedConfig
    {
        public string Ssid = "";
        public string Password = "";

        // Default ESP32 block: AutoConnect | Enable | SmartConfig (nf-interpreter
        // targets/ESP32/_common/targetHAL_ConfigurationManager.cpp InitialiseWirelessDefaultConfig, lines 329-332).
        public byte Options = 0x0E;
        public byte Authentication;
        public byte Encryption;
        public byte Radio;

        public SavedConfig Copy() => (SavedConfig)MemberwiseClone();
    }

    /// <summary>The driver's RAM state (IsWifiInitialised, NF_ESP32_IsToConnect, the netif, the SNTP client).</summary>
    internal sealed class NativeState
    {
        public bool Started;         // esp_wifi_start'ed (options had Enable at boot)
        public bool IsToConnect;     // NF_ESP32_IsToConnect: reconnect on every disconnect
        public string Ssid = "";     // esp_wifi_set_config
        public string Password = "";
        public bool Associated;
        public long AssociatedAt;    // world ms of WIFI_EVENT_STA_CONNECTED
        public long IpAt = long.MaxValue; // world ms of IP_EVENT_STA_GOT_IP (DHCP done)
        public long NextAttemptAt = long.MaxValue;
        public string? StaticIp;     // EnableStaticIPv4 address, or null for DHCP
        public bool SntpRunning;
        public bool SntpInitialised;
        public long SntpDueAt = long.MaxValue;
        public int SntpFailures;
        public string? SntpServer1;
        public string? SntpServer2;
        public readonly HashSet<string> DnsCache = new(StringComparer.OrdinalIgnoreCase);

        public bool HasIp(long now) => Associated && now >= IpAt;
    }

    internal static SavedConfig Saved(TwinBoard board)
    {
        lock (board.Nvs)
        {
            if (!board.Nvs.TryGetValue(ConfigKey, out var o))
            {
                o = new SavedConfig();
                board.Nvs[ConfigKey] = o;
            }

            return (SavedConfig)o;
        }
    }

    internal static void Save(TwinBoard board, SavedConfig config)
    {
        lock (board.Nvs)
        {
            board.Nvs[ConfigKey] = config.Copy();
        }
    }

    internal static NativeState State(TwinBoard board)
    {
        lock (board.Ram)
        {
            if (!board.Ram.TryGetValue(StateKey, out var o))
            {
                o = new NativeState();
                board.Ram[StateKey] = o;
            }

            return (NativeState)o;
        }
    }

    /// <summary>True while the station has an IPv4 address (NetworkInterface.IPv4Address is not 0.0.0.0).</summary>
    internal static bool HasIp(TwinBoard board)
    {
        Progress(board);
        return State(board).HasIp(board.Time.NowMs);
    }

    // Reset → nanoCLR start → network init: Network_Interface_Open → NF_ESP32_Wireless_Open
    // (nf-interpreter targets/ESP32/_Network/NF_ESP32_Wireless.cpp): Wi-Fi is initialised and started when
    // the saved options have Enable (NF_ESP32_CheckExpectedWifiMode, line 61), and joins when they have
    // AutoConnect and an SSID (lines 348-356). SmartConfig never starts: okToStartSmartConnect is never set
    // true (lines 319-373). Booked before Main, as the CLR start overlaps it.
    private static void Boot(TwinBoard board)
    {
        var saved = Saved(board);
        var st = State(board);
        if ((saved.Options & 0x02) == 0)
        {
            return; // WIFI_MODE_NULL: Wi-Fi never initialised this boot, the radio stays off
        }

        st.Started = true;
        board.Ledger.Radio = RadioState.Started;
        if ((saved.Options & 0x04) != 0 && saved.Ssid.Length > 0)
        {
            StartConnect(board, saved.Ssid, saved.Password);
            long until = Math.Min(st.IpAt, st.NextAttemptAt);
            if (until != long.MaxValue)
            {
                board.Ledger.Book(CpuState.Boot, until - board.Time.NowMs);
            }

            Progress(board);
        }
    }

    /// <summary>
    /// NF_ESP32_Wireless_Start_Connect: set the STA config, IsToConnect = true, esp_wifi_disconnect +
    /// esp_wifi_connect. Decides how this attempt ends from the access points in range.
    /// </summary>
    internal static void StartConnect(TwinBoard board, string ssid, string password)
    {
        var st = State(board);
        st.Ssid = ssid;
        st.Password = password;
        st.IsToConnect = true;
        st.Associated = false;
        st.IpAt = long.MaxValue;
        board.Ledger.Radio = RadioState.Connecting;
        Attempt(board, st);
    }

    /// <summary>The outcome of the connect now in progress: when the result event comes and whether it is success.</summary>
    internal static (long At, bool Success) PendingResult(TwinBoard board)
    {
        var st = State(board);
        return st.Associated ? (st.AssociatedAt, true) : (st.NextAttemptAt, false);
    }

    /// <summary>NF_ESP32_Wireless_Disconnect: IsToConnect = false, esp_wifi_disconnect. Wi-Fi stays started.</summary>
    internal static void Disconnect(TwinBoard board)
    {
        var st = State(board);
        st.IsToConnect = false;
        st.Associated = false;
        st.IpAt = long.MaxValue;
        st.NextAttemptAt = long.MaxValue;
        board.Ledger.Radio = st.Started ? RadioState.Started : RadioState.Off;
    }

    /// <summary>
    /// Catches the driver up with the world's time: association retries (the event handler in
    /// targetHAL_Network.cpp calls esp_wifi_connect again on every WIFI_EVENT_STA_DISCONNECTED while
    /// IsToConnect), loss of the AP, DHCP, and SNTP.
    /// </summary>
    internal static void Progress(TwinBoard board)
    {
        var st = State(board);
        long now = board.Time.NowMs;
        if (!st.Started)
        {
            return;
        }

        if (st.Associated && !CanReachAp(board, st.Ssid, st.Password))
        {
            // Outage or AP gone: beacons stop, STA_DISCONNECTED (beacon timeout), the netif goes down and loses its address
            // (esp-idf esp_netif_lwip.c esp_netif_down_api); the driver retries while IsToConnect.
            st.Associated = false;
            st.IpAt = long.MaxValue;
            st.NextAttemptAt = now;
        }

        while (!st.Associated && st.IsToConnect && st.NextAttemptAt <= now)
        {
            Attempt(board, st, st.NextAttemptAt);
        }

        board.Ledger.Radio = st.HasIp(now) ? RadioState.Associated
            : st.IsToConnect ? RadioState.Connecting
            : RadioState.Started;

        if (st.HasIp(now) && !st.SntpInitialised)
        {
            // IP_EVENT_STA_GOT_IP → initialize_sntp() → esp_netif_sntp_init(.start = true) with the default servers
            // (nf-interpreter targets/ESP32/_common/targetHAL_Network.cpp, lines 99-118 and 313-318).
            st.SntpInitialised = true;
            st.SntpServer1 = "0.pool.ntp.org";
            st.SntpServer2 = "1.pool.ntp.org";
            StartSntp(board, st.IpAt);
        }

        while (st.SntpRunning && st.SntpDueAt <= now)
        {
            if (st.HasIp(st.SntpDueAt) && board.Network.Up())
            {
                board.SyncRtc();
                st.SntpFailures = 0;
                st.SntpDueAt += SntpUpdateMs;
            }
            else
            {
                st.SntpFailures++;
                st.SntpDueAt += st.SntpFailures % 2 == 1 ? SntpRecvTimeoutMs : SntpRetryMs;
            }
        }
    }

    /// <summary>sntp_init: the first request after the random startup delay.</summary>
    internal static void StartSntp(TwinBoard board, long from)
    {
        var st = State(board);
        st.SntpRunning = true;
        st.SntpFailures = 0;
        st.SntpDueAt = from + board.Network.Random.Next(SntpStartupDelayMaxMs) + SntpRoundTripMs;
    }

    /// <summary>
    /// Dns.GetHostEntry on lwIP: an IP literal or a cached name needs no query; otherwise one round trip
    /// to the DHCP-given DNS server, or the retries running out when there is no network.
    /// Throws SocketException (HostNotFound) as nanoFramework does.
    /// </summary>
    // upstream: nanoframework/System.Net nanoFramework.System.Net/DNS.cs (native getaddrinfo on lwIP,
    // espressif/esp-lwip src/core/dns.c dns_gethostbyname_addrtype: literal and cache checked first).
    internal static string Resolve(TwinBoard board, string host)
    {
        if (System.Net.IPAddress.TryParse(host, out _))
        {
            return host;
        }

        var st = State(board);
        bool up = HasIp(board) && board.Network.Up();
        string? address;
        lock (board.Network.Dns)
        {
            board.Network.Dns.TryGetValue(host, out address);
        }

        if (address is not null && st.DnsCache.Contains(host))
        {
            return address; // lwIP answers from its cache before asking (no TTL modelled)
        }

        board.Ledger.Book(CpuState.Idle, up ? DnsRoundTripMs : DnsGiveUpMs);
        board.EnsureRunning();
        if (!up || address is null)
        {
            throw new SocketException((int)SocketError.HostNotFound);
        }

        st.DnsCache.Add(host);
        return address;
    }

    /// <summary>Whether the access point the station is joined to (or would join) answers.</summary>
    internal static bool CanReachAp(TwinBoard board, string ssid, string password) =>
        board.Network.Up() && board.Network.AccessPoints.Exists(a => a.Ssid == ssid && a.Password == password);

    /// <summary>The RSSI of the AP with this SSID, or null when none is in range.</summary>
    internal static int? RssiOf(TwinBoard board, string ssid) =>
        board.Network.AccessPoints.Find(a => a.Ssid == ssid)?.Rssi;

    private static void Attempt(TwinBoard board, NativeState st) => Attempt(board, st, board.Time.NowMs);

    private static void Attempt(TwinBoard board, NativeState st, long from)
    {
        bool apInRange = board.Network.Up() && board.Network.AccessPoints.Exists(a => a.Ssid == st.Ssid);
        if (apInRange && CanReachAp(board, st.Ssid, st.Password))
        {
            st.Associated = true;
            st.AssociatedAt = from + ScanHitMs + AssocMs;
            st.IpAt = st.AssociatedAt + (st.StaticIp is null ? DhcpMs : 0);
            st.NextAttemptAt = long.MaxValue;
        }
        else
        {
            st.NextAttemptAt = from + (apInRange ? HandshakeFailMs : ScanMissMs);
        }
    }
}
