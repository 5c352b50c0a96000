using CityNode.NanoTwin;
using nanoFramework.Networking;

namespace System.Net.NetworkInformation
{
    /// <summary>The station's wireless configuration block, kept in the board's flash (NVS) over resets.</summary>
    // upstream: nanoframework/System.Net nanoFramework.System.Net/NetworkInformation/Wireless80211Configuration.cs;
    // native storage nf-interpreter targets/ESP32/_common/targetHAL_ConfigurationManager.cpp (one block, Id 0).
    internal class Wireless80211Configuration
    {
        private const int MaxSsidLength = 32;
        private const int MaxPasswordLength = 64;

        // upstream: same file, ctor(uint id): None/None/NotSpecified, null password and SSID.
        public Wireless80211Configuration(uint id)
        {
            Id = id;
            Authentication = AuthenticationType.None;
            Encryption = EncryptionType.None;
            Radio = RadioType.NotSpecified;
        }

        public AuthenticationType Authentication { get; set; }

        public EncryptionType Encryption { get; set; }

        public RadioType Radio { get; set; }

        public ConfigurationOptions Options { get; set; }

        public string? Password { get; set; }

        public string? Ssid { get; set; }

        public uint Id { get; }

        /// <summary>Validates and writes the block (native UpdateConfiguration). Takes effect for Wi-Fi at the next boot.</summary>
        // upstream: same file, SaveConfiguration → ValidateConfiguration (null SSID: ArgumentNullException; a null
        // password fails on .Length as there) → native UpdateConfiguration (StoreConfigBlock).
        public void SaveConfiguration()
        {
            var board = TwinBoard.Current;
            board.EnsureRunning();
            if (Ssid is null)
            {
                throw new ArgumentNullException();
            }

            if (Password!.Length > MaxPasswordLength || Ssid.Length > MaxSsidLength)
            {
                throw new ArgumentOutOfRangeException();
            }

            WifiTwin.Save(board, new WifiTwin.SavedConfig
            {
                Ssid = Ssid,
                Password = Password,
                Options = (byte)Options,
                Authentication = (byte)Authentication,
                Encryption = (byte)Encryption,
                Radio = (byte)Radio,
            });
        }

        /// <summary>The blocks stored on the device: ESP32 has one station block.</summary>
        // upstream: same file, GetAllWireless80211Configurations (native GetWireless82011Configuration per index).
        public static Wireless80211Configuration[] GetAllWireless80211Configurations()
        {
            var board = TwinBoard.Current;
            board.EnsureRunning();
            var saved = WifiTwin.Saved(board);
            return new[]
            {
                new Wireless80211Configuration(0)
                {
                    Ssid = saved.Ssid,
                    Password = saved.Password,
                    Options = (ConfigurationOptions)saved.Options,
                    Authentication = (AuthenticationType)saved.Authentication,
                    Encryption = (EncryptionType)saved.Encryption,
                    Radio = (RadioType)saved.Radio,
                },
            };
        }

        // upstream: same file, values as nf-interpreter src/HAL/Include/nanoHAL_Network.h (AutoConnect and
        // SmartConfig include Enable). Enable decides whether Wi-Fi is started at boot; AutoConnect whether it joins.
        [Flags]
        public enum ConfigurationOptions : byte
        {
            None = 0,
            Disable = 0x01,
            Enable = 0x02,
            AutoConnect = 0x04 | Enable,
            SmartConfig = 0x08 | Enable,
        }
    }

    // upstream: nanoframework/System.Net nanoFramework.System.Net/NetworkInformation/AuthenticationType.cs
    internal enum AuthenticationType : byte
    {
        None = 0,
        EAP,
        PEAP,
        WCN,
        Open,
        Shared,
        WEP,
        WPA,
        WPA2,
    }

    // upstream: nanoframework/System.Net nanoFramework.System.Net/NetworkInformation/EncryptionType.cs
    internal enum EncryptionType : byte
    {
        None = 0,
        WEP,
        WPA,
        WPA2,
        WPA_PSK,
        WPA2_PSK,
        Certificate,
    }

    // upstream: nanoframework/System.Net nanoFramework.System.Net/NetworkInformation/RadioType.cs
    internal enum RadioType : byte
    {
        NotSpecified = 0,
        _802_11a = 1,
        _802_11b = 2,
        _802_11g = 4,
        _802_11n = 8,
    }
}
