using CityNode.Config;

namespace CityNode.Host.Reports;

/// <summary>The board profiles shipped with the tools (boards/*.board next to the executable), or a profile file.</summary>
public static class Boards
{
    public static string Folder => Path.Combine(AppContext.BaseDirectory, "boards");

    public static IReadOnlyList<string> Known() =>
        Directory.Exists(Folder) ? Directory.GetFiles(Folder, "*.board").Select(f => Path.GetFileNameWithoutExtension(f)).OrderBy(n => n).ToList() : Array.Empty<string>();

    /// <summary>Loads a board by id or path; an unknown id is refused with the list of known boards.</summary>
    public static BoardProfile Load(string idOrPath)
    {
        string path = PathOf(idOrPath);

        try
        {
            return BoardProfile.Parse(File.ReadAllText(path));
        }
        catch (ConfigException e)
        {
            throw new FormatException($"{Path.GetFileName(path)}: {e.Message}");
        }
    }

    /// <summary>The profile text of a board id or path (what `provision` deploys as board.conf).</summary>
    public static string Text(string idOrPath) => File.ReadAllText(PathOf(idOrPath));

    /// <summary>The profile file of a board id (or the path given); an unknown id is refused with the list of known boards.</summary>
    public static string PathOf(string idOrPath)
    {
        string path = File.Exists(idOrPath) ? idOrPath : Path.Combine(Folder, idOrPath + ".board");
        if (!File.Exists(path))
        {
            throw new FormatException($"unknown board '{idOrPath}' (known: {string.Join(", ", Known())})");
        }

        return path;
    }
}
