namespace Switchboard.Samples.Tests.Infrastructure;

/// <summary>Paths in this repository, found from the test assembly's location.</summary>
public static class Repository
{
    /// <summary>The directory holding Switchboard.slnx.</summary>
    public static string Root { get; } = FindRoot();

    /// <summary>The build configuration of these tests (Release under test.sh), which is also the samples'.</summary>
    public static string Configuration { get; } = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd('/')).Parent!.Name;

    /// <summary>The built sample <paramref name="name"/>, e.g. samples/ChatRooms/bin/Release/net10.0/ChatRooms.dll.</summary>
    public static string SampleDll(string name)
    {
        var dll = Path.Combine(Root, "samples", name, "bin", Configuration, "net10.0", name + ".dll");
        return File.Exists(dll) ? dll : throw new FileNotFoundException($"build the sample first: dotnet build samples/{name} -c {Configuration}", dll);
    }

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Switchboard.slnx")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("Switchboard.slnx not found above " + AppContext.BaseDirectory);
    }
}
