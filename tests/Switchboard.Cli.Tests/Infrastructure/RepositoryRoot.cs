using System.Diagnostics;

namespace Switchboard.Cli.Tests.Infrastructure;

/// <summary>The repository these tests were built from, and clean copies of it.</summary>
internal static class RepositoryRoot
{
    /// <summary>The folder holding <c>Switchboard.slnx</c>, found upwards from the test assembly.</summary>
    public static string Path { get; } = Find();

    public static string File(string relative) => System.IO.Path.Combine(Path, relative);

    /// <summary>
    /// Copies the files git would put in a clone (tracked ones, and new ones not ignored) into a fresh folder: no build
    /// output, no local appsettings.json or secrets, no node_modules. What a new user gets from <c>git clone</c>.
    /// </summary>
    public static async Task<string> CleanCopyAsync(string destination)
    {
        var info = new ProcessStartInfo("git") { WorkingDirectory = Path, RedirectStandardOutput = true, UseShellExecute = false };
        foreach (var arg in new[] { "ls-files", "-z", "--cached", "--others", "--exclude-standard" })
        {
            info.ArgumentList.Add(arg);
        }

        using var git = Process.Start(info)!;
        var listing = await git.StandardOutput.ReadToEndAsync();
        await git.WaitForExitAsync();
        Assert.True(git.ExitCode == 0, $"git ls-files exited with {git.ExitCode}");
        var copied = 0;
        foreach (var relative in listing.Split('\0', StringSplitOptions.RemoveEmptyEntries))
        {
            var source = System.IO.Path.Combine(Path, relative);
            if (!System.IO.File.Exists(source))
            {
                continue; // Deleted in the work tree but not yet committed: a clone of the next commit would not have it.
            }

            var target = System.IO.Path.Combine(destination, relative);
            Directory.CreateDirectory(System.IO.Path.GetDirectoryName(target)!);
            System.IO.File.Copy(source, target);
            copied++;
        }

        Assert.True(copied > 10, $"expected the repository's files, copied {copied}");
        return destination;
    }

    private static string Find()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (System.IO.File.Exists(System.IO.Path.Combine(directory.FullName, "Switchboard.slnx")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException($"Switchboard.slnx not found above {AppContext.BaseDirectory}");
    }
}
