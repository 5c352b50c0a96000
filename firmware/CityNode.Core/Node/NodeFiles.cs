using System;
using CityNode.Config;

namespace CityNode.Node
{
    /// <summary>The two files a node boots from: its config (citynode.conf) and its board profile (board.conf).</summary>
    public static class NodeFiles
    {
        /// <summary>
        /// The node's over-the-air update key on its drive, written by `citynode provision`: 64 hex
        /// digits (32 bytes, the HMAC-SHA256 key of its manifests; docs/ota.md), like `citynode release --key`.
        /// Without it the node takes no update (every manifest is refused as unsigned for it).
        /// </summary>
        public const string OtaKey = "ota.key";

        /// <summary>Parses both; on an error prints it with its line and key (the technician's serial console) and returns false.</summary>
        public static bool Parse(string configText, string boardText, out NodeConfig config, out BoardProfile board)
        {
            config = null;
            board = null;
            try
            {
                config = NodeConfig.Parse(configText);
                board = BoardProfile.Parse(boardText);
                return true;
            }
            catch (ConfigException e)
            {
                Console.WriteLine((config == null ? "citynode.conf: " : "board.conf: ") + e.Message);
                return false;
            }
        }
    }
}
