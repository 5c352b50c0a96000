namespace CityNode.Tests.Cli;

/// <summary>The repository's files (docs the tests hold to what the CLI does).</summary>
public static class Repo
{
    public static string Root { get; } = Find();

    public static string Read(string relative) => File.ReadAllText(Path.Combine(Root, relative));

    private static string Find()
    {
        for (var d = new DirectoryInfo(AppContext.BaseDirectory); d is not null; d = d.Parent)
        {
            if (File.Exists(Path.Combine(d.FullName, "nf.sln")))
            {
                return d.FullName;
            }
        }

        throw new InvalidOperationException("nf.sln not found above " + AppContext.BaseDirectory);
    }
}
