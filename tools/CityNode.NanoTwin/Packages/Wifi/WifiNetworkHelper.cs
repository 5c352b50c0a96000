using System.Device.Wifi;
using System.Net.NetworkInformation;
using CityNode.NanoTwin;
using CancellationToken = CityNode.NanoTwin.Clr.CancellationToken;

namespace System.Device.Wifi
{
    // upstream: nanoframework/System.Device.Wifi System.Device.Wifi/WifiReconnectionKind.cs. Passed to the native
    // connect as its option flags (NETWORK_CONNECT_SAVE_CONFIG = 1, NETWORK_CONNECT_RECONNECT = 2 in nf-interpreter
    // src/PAL/Include/nanoPAL_Sockets.h): Manual (1) makes the native side save the config with AutoConnect, and
    // neither value stops the driver reconnecting after a disconnect (NF_ESP32_Wireless_Start_Connect sets IsToConnect).
    internal enum WifiReconnectionKind
    {
        Automatic,
        Manual,
    }
}

namespace nanoFramework.Networking
{
    // upstream: nanoframework/System.Net nanoFramework.System.Net/NetworkHelper/NetworkHelperStatus.cs (spelling kept).
    internal enum NetworkHelperStatus
    {
        None,
        Started,
        NetworkIsReady,
        FailedNoNetworkInterface,
        TokenExpiredWaitingIPAddress,
        TokenExpiredWaitingDateTime,
        ErrorConnetingToWiFiWhileScanning,
        ExceptionOccurred,
        Reconnecting,
    }

    // upstream: nanoframework/System.Net nanoFramework.System.Net/NetworkHelper/IPConfiguration.cs
    internal class IPConfiguration
    {
        public IPConfiguration(string ipv4Address, string ipv4SubnetMask, string ipv4GatewayAddress, string[]? ipv4DnsAddresses = null)
        {
            IPAddress = ipv4Address;
            IPSubnetMask = ipv4SubnetMask;
            IPGatewayAddress = ipv4GatewayAddress;
            IPDns = ipv4DnsAddresses;
        }

        public string IPAddress { get; set; }

        public string IPSubnetMask { get; set; }

        public string IPGatewayAddress { get; set; }

        public string[]? IPDns { get; set; }
    }

    /// <summary>Thrown where the device would wait forever (no cancellable token): the simulation must not hang.</summary>
    internal sealed class WaitsForeverException(string message) : InvalidOperationException(message);

    /// <summary>
    /// nanoFramework's Wi-Fi helper over the twin driver. Its static fields are RAM on the device, so
    /// they live in <see cref="TwinBoard.Ram"/> and are lost at every reset.
    /// </summary>
    // upstream: nanoframework/System.Device.Wifi System.Device.Wifi/NetworkHelper/WifiNetworkHelper.cs and
    // nanoframework/System.Net nanoFramework.System.Net/NetworkHelper/{NetworkHelper,NetworkHelperInternal}.cs.
    internal static class WifiNetworkHelper
    {
        // NetworkHelper.InternalWaitNetworkAvailable polls with Thread.Sleep(200).
        private const int PollMs = 200;

        // A wait with a token that never cancels loops forever on the device; the twin gives up after this.
        private const long ForeverMs = 3_600_000;

        private const string HelperKey = "nf.wifi.helper";

        public static NetworkHelperStatus Status => Helper().Status;

        public static Exception? HelperException => Helper().Exception;

        // upstream: WifiNetworkHelper.ConnectDhcp → ScanAndConnect(scan: false).
        public static bool ConnectDhcp(string ssid, string password, WifiReconnectionKind reconnectionKind = WifiReconnectionKind.Automatic,
            bool requiresDateTime = false, int wifiAdapterId = 0, CancellationToken token = default) =>
            ScanAndConnect(ssid, password, null, reconnectionKind, requiresDateTime, wifiAdapterId, token);

        // upstream: WifiNetworkHelper.ConnectFixAddress (the adapter parameter is spelled "WifiAdapter" there).
        public static bool ConnectFixAddress(string ssid, string password, IPConfiguration ipConfiguration,
            WifiReconnectionKind reconnectionKind = WifiReconnectionKind.Automatic, bool requiresDateTime = false, int WifiAdapter = 0,
            CancellationToken token = default) =>
            ScanAndConnect(ssid, password, ipConfiguration, reconnectionKind, requiresDateTime, WifiAdapter, token);

        /// <summary>Only waits for the driver's own reconnection (and the time, if asked); starts nothing.</summary>
        // upstream: WifiNetworkHelper.Reconnect: FindAllAdapters()[id], then InternalWaitNetworkAvailable.
        public static bool Reconnect(bool requiresDateTime = false, int wifiAdapterId = 0, CancellationToken token = default)
        {
            var board = TwinBoard.Current;
            board.EnsureRunning();
            var h = Helper();
            try
            {
                CheckAdapter(wifiAdapterId);
                h.AdapterOpen = true;
                return WaitNetworkAvailable(board, h, token, requiresDateTime, null);
            }
            catch (Exception ex) when (ex is not (CpuHaltedException or WaitsForeverException))
            {
                h.Status = NetworkHelperStatus.ExceptionOccurred;
                h.Exception = ex;
                return false;
            }
        }

        /// <summary>
        /// esp_wifi_disconnect and nothing more: Wi-Fi stays started (radio on, not associated). A no-op
        /// unless a Connect*/Reconnect of this boot opened the adapter (upstream: <c>_wifi?.Disconnect()</c>).
        /// </summary>
        // upstream: WifiNetworkHelper.Disconnect → WifiAdapter.Disconnect → NativeDisconnect → Network_Interface_Disconnect
        // → NF_ESP32_Wireless_Disconnect (nf-interpreter targets/ESP32/_Network/NF_ESP32_Wireless.cpp lines 300-314:
        // IsToConnect = false; esp_wifi_disconnect()). Nothing in the managed API calls esp_wifi_stop.
        public static void Disconnect()
        {
            var board = TwinBoard.Current;
            board.EnsureRunning();
            var h = Helper();
            if (h.AdapterOpen)
            {
                WifiTwin.Disconnect(board);
                h.AdapterOpen = false; // _wifi.Dispose(); _wifi = null
            }
        }

        // upstream: WifiNetworkHelper.Reset: the helper's state only; the driver is untouched.
        public static void Reset()
        {
            TwinBoard.Current.EnsureRunning();
            var h = Helper();
            h.Status = NetworkHelperStatus.None;
            h.Exception = null;
        }

        // upstream: WifiNetworkHelper.ScanAndConnect (scan == false path).
        private static bool ScanAndConnect(string ssid, string password, IPConfiguration? ipConfiguration, WifiReconnectionKind kind,
            bool requiresDateTime, int wifiAdapterId, CancellationToken token)
        {
            var board = TwinBoard.Current;
            board.EnsureRunning();
            var h = Helper();
            try
            {
                CheckAdapter(wifiAdapterId);
                h.AdapterOpen = true;
                var st = WifiTwin.State(board);

                // Already connected: an address (the fixed one, if given) and the saved SSID is this one.
                bool already = CheckIp(board, ipConfiguration) && WifiTwin.Saved(board).Ssid == ssid;
                if (!already)
                {
                    WifiTwin.Disconnect(board); // _wifi.Disconnect()
                    var wc = Wireless80211Configuration.GetAllWireless80211Configurations()[0];
                    wc.Ssid = ssid;
                    wc.Password = password;
                    wc.SaveConfiguration(); // StoreWifiConfiguration: SSID and password only, the options stay as saved
                    st.StaticIp = ipConfiguration?.IPAddress;
                    NativeConnect(board, ssid, password, kind);
                }

                return WaitNetworkAvailable(board, h, token, requiresDateTime, ipConfiguration);
            }
            catch (Exception ex) when (ex is not (CpuHaltedException or WaitsForeverException))
            {
                h.Status = NetworkHelperStatus.ExceptionOccurred;
                h.Exception = ex;
                return false;
            }
        }

        /// <summary>
        /// WifiAdapter.Connect: starts the connect and blocks (CLR idle) until the driver's first result event
        /// (associated, or a disconnect reason) or 20 s, whatever the token. The result is ignored by the helper.
        /// </summary>
        // upstream: nf-interpreter targets/ESP32/_nanoCLR/System.Device.Wifi/sys_dev_wifi_native_System_Device_Wifi_WifiAdapter.cpp
        // NativeConnect (line 140: 20000 ms) → targets/ESP32/_common/Target_Network.cpp Network_Interface_Start_Connect
        // (lines 188-245: options = Enable|AutoConnect, saved natively when the flags have SAVE_CONFIG, i.e. Manual).
        private static void NativeConnect(TwinBoard board, string ssid, string password, WifiReconnectionKind kind)
        {
            var st = WifiTwin.State(board);
            if (!st.Started)
            {
                return; // esp_wifi_set_config fails (Wi-Fi not initialised this boot): UnspecifiedFailure at once
            }

            if (kind == WifiReconnectionKind.Manual)
            {
                var saved = WifiTwin.Saved(board).Copy();
                saved.Ssid = ssid;
                saved.Password = password;
                saved.Options = 0x06; // AutoConnect (includes Enable)
                WifiTwin.Save(board, saved);
            }

            WifiTwin.StartConnect(board, ssid, password);
            var (at, _) = WifiTwin.PendingResult(board);
            long wait = Math.Min(at - board.Time.NowMs, WifiTwin.NativeConnectTimeoutMs);
            board.Ledger.Book(CpuState.Idle, wait);
            board.EnsureRunning();
            WifiTwin.Progress(board);
        }

        // upstream: nanoframework/System.Net NetworkHelper.InternalWaitNetworkAvailable: poll every 200 ms for an
        // address, then (requiresDateTime) for DateTime.UtcNow.Year >= 2021; only the token ends either loop.
        private static bool WaitNetworkAvailable(TwinBoard board, HelperState h, CancellationToken token, bool requiresDateTime,
            IPConfiguration? ipConfiguration)
        {
            h.Status = NetworkHelperStatus.Started;
            long start = board.Time.NowMs;
            while (!token.IsCancellationRequested && !CheckIp(board, ipConfiguration))
            {
                Poll(board, start);
            }

            if (token.IsCancellationRequested)
            {
                h.Status = NetworkHelperStatus.TokenExpiredWaitingIPAddress;
                return false;
            }

            if (requiresDateTime)
            {
                while (!token.IsCancellationRequested && Year(board.RtcUnixMs) < 2021)
                {
                    Poll(board, start);
                    WifiTwin.Progress(board);
                }
            }

            if (token.IsCancellationRequested)
            {
                h.Status = NetworkHelperStatus.TokenExpiredWaitingDateTime;
                return false;
            }

            h.Status = NetworkHelperStatus.NetworkIsReady;
            return true;
        }

        // NetworkHelperInternal.CheckIP: the station has an address (the fixed one, when one is configured).
        private static bool CheckIp(TwinBoard board, IPConfiguration? ipConfiguration) =>
            WifiTwin.HasIp(board) && (ipConfiguration is null || WifiTwin.State(board).StaticIp == ipConfiguration.IPAddress);

        private static void Poll(TwinBoard board, long start)
        {
            if (board.Time.NowMs - start >= ForeverMs)
            {
                throw new WaitsForeverException($"WifiNetworkHelper waited {ForeverMs / 60000} min and the token never cancelled: on the device this wait does not end (pass a CancellationToken with a timeout)");
            }

            board.Idle(PollMs);
        }

        private static int Year(long unixMs) => DateTimeOffset.FromUnixTimeMilliseconds(unixMs).UtcDateTime.Year;

        // WifiAdapter.FindAllAdapters()[id]: ESP32 has one station adapter.
        private static void CheckAdapter(int id)
        {
            if (id != 0)
            {
                throw new IndexOutOfRangeException();
            }
        }

        private static HelperState Helper()
        {
            var board = TwinBoard.Current;
            lock (board.Ram)
            {
                if (!board.Ram.TryGetValue(HelperKey, out var o))
                {
                    o = new HelperState();
                    board.Ram[HelperKey] = o;
                }

                return (HelperState)o;
            }
        }

        private sealed class HelperState
        {
            public NetworkHelperStatus Status;
            public Exception? Exception;
            public bool AdapterOpen; // WifiNetworkHelper._wifi != null
        }
    }
}
