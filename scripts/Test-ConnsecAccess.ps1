#Requires -Version 5.1
<#
.SYNOPSIS
    Verifies that the DACL connsec applied has the intended effect: runs `connsecctl status` and
    `connsecctl probe` as the current administrator and as a standard local test user.

.DESCRIPTION
    1. Finds connsecctl.exe and copies it to %ProgramData%\connsec-kit\bin, which standard users
       can read and execute (a build folder under a user profile usually is not).
    2. Administrator (this elevated session): `connsecctl status --json` must exit 0 (the live
       DACL matches the configured policy; 1 = differs, 2 = error), and `connsecctl probe --json`
       reports allowed/denied for enumerating and subscribing to WFP connection objects.
    3. Standard user: uses -TestUserCredential, or creates (or resets the password of) the local
       user -TestUserName with a random password, checks it is not an administrator, and runs
       the same two commands with Start-Process -Credential (works on PowerShell 5.1 and 7;
       needs an interactive elevated session, not SYSTEM). Output is captured to files.
    4. Compares each probe result with -ExpectAdmin / -ExpectUser and prints a table.

    Every change (copying the tool, creating/resetting/removing the user) supports -WhatIf.
    Exit code: 0 = the DACL has the intended effect, 1 = a result differs from the expectation,
    2 = the check could not run (tool missing, logon failed, unreadable output).

.PARAMETER ConnsecCtl
    Path to connsecctl.exe (default: next to the scripts, target\release, PATH).

.PARAMETER TestUserName
    Local standard user to create or reuse (default connsec-test).

.PARAMETER TestUserCredential
    Use this existing account instead of creating one (its password is not changed).

.PARAMETER ExpectAdmin
    Expected probe result for the administrator: Allowed (default) or Denied.

.PARAMETER ExpectUser
    Expected probe result for the standard user: Denied (default) or Allowed.

.PARAMETER RemoveTestUser
    Delete the created test user at the end.

.EXAMPLE
    .\Test-ConnsecAccess.ps1 -WhatIf

.EXAMPLE
    .\Test-ConnsecAccess.ps1 -ExpectAdmin Allowed -ExpectUser Denied -RemoveTestUser
#>
[CmdletBinding(SupportsShouldProcess = $true)]
param(
    [string]$ConnsecCtl,
    [ValidatePattern('^[A-Za-z0-9_.-]{1,20}$')][string]$TestUserName = 'connsec-test',
    [System.Management.Automation.PSCredential]$TestUserCredential,
    [ValidateSet('Allowed', 'Denied')][string]$ExpectAdmin = 'Allowed',
    [ValidateSet('Allowed', 'Denied')][string]$ExpectUser = 'Denied',
    [switch]$RemoveTestUser
)
Set-StrictMode -Version Latest
$ErrorActionPreference = 'Stop'
. (Join-Path $PSScriptRoot 'ConnsecCommon.ps1')

$Operations = @('enumerate', 'subscribe')

function New-RandomPassword {
    # 24 characters from a CSPRNG plus one of each class, for any local password policy.
    $alphabet = 'abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789'
    $bytes = New-Object byte[] 24
    $rng = [System.Security.Cryptography.RandomNumberGenerator]::Create()
    try { $rng.GetBytes($bytes) } finally { $rng.Dispose() }
    $chars = foreach ($b in $bytes) { $alphabet[$b % $alphabet.Length] }
    return (-join $chars) + 'aZ7!'
}

function Get-LocalGroupName {
    param([Parameter(Mandatory = $true)][string]$Sid)
    # Group names are localized; the SID is not.
    $account = (New-Object System.Security.Principal.SecurityIdentifier($Sid)).Translate([System.Security.Principal.NTAccount]).Value
    return $account.Split('\')[-1]
}

function Test-LocalGroupMember {
    param([Parameter(Mandatory = $true)][string]$GroupSid, [Parameter(Mandatory = $true)][string]$UserName)
    $group = [ADSI]"WinNT://$env:COMPUTERNAME/$(Get-LocalGroupName -Sid $GroupSid),group"
    return [bool]$group.PSBase.Invoke('IsMember', "WinNT://$env:COMPUTERNAME/$UserName")
}

function Get-TestUserCredential {
    param([Parameter(Mandatory = $true)][string]$Name)
    $path = "WinNT://$env:COMPUTERNAME/$Name,user"
    $password = New-RandomPassword
    if ([ADSI]::Exists($path)) {
        if (-not $PSCmdlet.ShouldProcess("local user $Name", 'Reset the password to a new random one')) { return $null }
        $user = [ADSI]$path
        $user.SetPassword($password)
        $user.SetInfo()
        Write-Host "Reset the password of the existing local user $Name."
    } else {
        if (-not $PSCmdlet.ShouldProcess("local user $Name", 'Create a standard user with a random password')) { return $null }
        $computer = [ADSI]"WinNT://$env:COMPUTERNAME,computer"
        $user = $computer.Create('User', $Name)
        $user.SetPassword($password)
        $user.SetInfo()
        $user.Put('Description', 'connsec test-VM kit: standard user for Test-ConnsecAccess.ps1')
        $user.SetInfo()
        Write-Host "Created the local user $Name."
    }
    # BUILTIN\Users (S-1-5-32-545) grants "log on locally", which Start-Process -Credential needs.
    if (-not (Test-LocalGroupMember -GroupSid 'S-1-5-32-545' -UserName $Name)) {
        $users = [ADSI]"WinNT://$env:COMPUTERNAME/$(Get-LocalGroupName -Sid 'S-1-5-32-545'),group"
        $users.Add("WinNT://$env:COMPUTERNAME/$Name")
    }
    $secure = ConvertTo-SecureString -String $password -AsPlainText -Force
    return New-Object System.Management.Automation.PSCredential("$env:COMPUTERNAME\$Name", $secure)
}

function Invoke-AsAdmin {
    param([Parameter(Mandatory = $true)][string]$Exe, [Parameter(Mandatory = $true)][string[]]$Arguments)
    $r = Invoke-ConnsecNative -FilePath $Exe -ArgumentList $Arguments -AllowedExitCodes @(0, 1, 2) -PassThruExitCode
    return [pscustomobject]@{ ExitCode = $r.ExitCode; Stdout = ($r.Output -join "`n"); Stderr = '' }
}

function Invoke-AsUser {
    param(
        [Parameter(Mandatory = $true)][string]$Exe,
        [Parameter(Mandatory = $true)][string[]]$Arguments,
        [Parameter(Mandatory = $true)][System.Management.Automation.PSCredential]$Credential,
        [Parameter(Mandatory = $true)][string]$OutDir,
        [Parameter(Mandatory = $true)][string]$Tag
    )
    $stdout = Join-Path $OutDir "$Tag.stdout.txt"
    $stderr = Join-Path $OutDir "$Tag.stderr.txt"
    try {
        $p = Start-Process -FilePath $Exe -ArgumentList $Arguments -Credential $Credential `
            -WorkingDirectory (Split-Path -Parent $Exe) -LoadUserProfile -WindowStyle Hidden `
            -RedirectStandardOutput $stdout -RedirectStandardError $stderr -PassThru -Wait
    } catch {
        throw "Cannot start '$Exe' as $($Credential.UserName): $($_.Exception.Message). (Start-Process -Credential needs an interactive elevated session, not SYSTEM, and the user needs 'log on locally'.)"
    }
    $code = $p.ExitCode
    if ($null -eq $code) { $code = -1 }
    $out = if (Test-Path -LiteralPath $stdout) { Get-Content -LiteralPath $stdout -Raw } else { '' }
    $err = if (Test-Path -LiteralPath $stderr) { Get-Content -LiteralPath $stderr -Raw } else { '' }
    if ($null -eq $out) { $out = '' }
    if ($null -eq $err) { $err = '' }
    return [pscustomobject]@{ ExitCode = [int]$code; Stdout = $out; Stderr = $err }
}

function Get-ProbeVerdict {
    <#
    .SYNOPSIS
        One operation's result from `connsecctl probe --json`, as
        @{ Verdict = 'Allowed' | 'Denied' | 'Error'; Detail = <connsecctl's detail> }.
    .DESCRIPTION
        connsecctl writes {"all_allowed": bool, "results": [{"operation": "enumerate" |
        "subscribe", "allowed": bool, "detail": "..."}]} (crates/connsecctl/src/windows.rs).
        "allowed": false is a denial only when the detail is an access-denied status
        ("access denied", or ERROR_ACCESS_DENIED as 0x00000005 / 0x80070005); any other failure
        is an error, not evidence about the DACL.
    #>
    param([Parameter(Mandatory = $true)]$Json, [Parameter(Mandatory = $true)][string]$Operation)
    $resultsProp = $Json.PSObject.Properties['results']
    if ($null -eq $resultsProp) { return @{ Verdict = 'Error'; Detail = 'no "results" in the probe output' } }
    foreach ($entry in @($resultsProp.Value)) {
        $op = $entry.PSObject.Properties['operation']
        if ($null -eq $op -or "$($op.Value)" -ne $Operation) { continue }
        $allowed = $entry.PSObject.Properties['allowed']
        $detailProp = $entry.PSObject.Properties['detail']
        $detail = if ($null -ne $detailProp) { "$($detailProp.Value)" } else { '' }
        if ($null -eq $allowed -or $allowed.Value -isnot [bool]) { return @{ Verdict = 'Error'; Detail = "no boolean 'allowed' for $Operation" } }
        if ($allowed.Value) { return @{ Verdict = 'Allowed'; Detail = $detail } }
        if ($detail -match 'access denied|0x0*5$|0x80070005') { return @{ Verdict = 'Denied'; Detail = $detail } }
        return @{ Verdict = 'Error'; Detail = $detail }
    }
    return @{ Verdict = 'Error'; Detail = "no result for '$Operation' in the probe output" }
}

$rows = New-Object System.Collections.Generic.List[object]
$status = 0
$createdUser = $false
try {
    Assert-ConnsecAdministrator
    $svc = Get-ConnsecDriverService
    if ($null -eq $svc -or $svc.State -ne 'Running') {
        Write-Warning "connsec is not running (state: $(if ($null -eq $svc) { 'not installed' } else { $svc.State })): the results show the descriptor without the driver's DACL."
    }

    Write-ConnsecStep 'connsecctl'
    $source = Find-ConnsecCtl -Path $ConnsecCtl
    $bin = Join-Path $script:ConnsecStateDir 'bin'
    $tool = Join-Path $bin 'connsecctl.exe'
    if ($PSCmdlet.ShouldProcess($tool, "Copy $source")) {
        if (-not (Test-Path -LiteralPath $bin)) { [void](New-Item -ItemType Directory -Path $bin -Force) }
        Copy-Item -LiteralPath $source -Destination $tool -Force
    } else {
        $tool = $source
    }
    Write-Host "Using $tool"
    $outDir = Join-Path $script:ConnsecStateDir ('verify-{0:yyyyMMdd-HHmmss}' -f (Get-Date))
    if (-not $WhatIfPreference) { [void](New-Item -ItemType Directory -Path $outDir -Force) }
    Write-Host "Live connection-object descriptor: $(Get-ConnsecConnectionSddlOrReason)"

    Write-ConnsecStep "As the administrator ($([Security.Principal.WindowsIdentity]::GetCurrent().Name))"
    $adminStatus = Invoke-AsAdmin -Exe $tool -Arguments @('status', '--json')
    Write-Host "connsecctl status --json -> exit $($adminStatus.ExitCode)"
    Write-Host $adminStatus.Stdout
    $adminProbe = Invoke-AsAdmin -Exe $tool -Arguments @('probe', '--json')
    Write-Host "connsecctl probe --json -> exit $($adminProbe.ExitCode)"
    Write-Host $adminProbe.Stdout
    $statusVerdict = 'ERROR'
    if ($adminStatus.ExitCode -eq 0) { $statusVerdict = 'match' } elseif ($adminStatus.ExitCode -eq 1) { $statusVerdict = 'DIFFERS' }
    $statusDetail = ''
    if ($adminStatus.ExitCode -ne 2) {
        try {
            $sj = $adminStatus.Stdout | ConvertFrom-Json
            $statusDetail = "live $($sj.live_sddl) / planned $($sj.planned_sddl)"
        } catch {
            $statusDetail = 'unreadable status output'
        }
    }
    $rows.Add([pscustomobject]@{ Who = 'administrator'; Check = 'status'; Expected = 'match'; Observed = $statusVerdict; Ok = ($adminStatus.ExitCode -eq 0); Detail = $statusDetail })
    if ($adminStatus.ExitCode -eq 1) { $status = [Math]::Max($status, 1) } elseif ($adminStatus.ExitCode -ne 0) { $status = 2 }

    $results = @(@{ Who = 'administrator'; Probe = $adminProbe; Expect = $ExpectAdmin })

    Write-ConnsecStep "As a standard user"
    $credential = $TestUserCredential
    if ($null -eq $credential) {
        $existed = [ADSI]::Exists("WinNT://$env:COMPUTERNAME/$TestUserName,user")
        $credential = Get-TestUserCredential -Name $TestUserName
        $createdUser = (-not $existed) -and ($null -ne $credential)
    }
    if ($null -eq $credential -or $WhatIfPreference) {
        Write-Host '(-WhatIf) the standard-user run is skipped.'
    } else {
        $plainName = $credential.UserName.Split('\')[-1]
        if (Test-LocalGroupMember -GroupSid 'S-1-5-32-544' -UserName $plainName) {
            throw "$($credential.UserName) is a member of Administrators: use a standard user."
        }
        Write-Host "Running as $($credential.UserName) (output in $outDir)"
        $userStatus = Invoke-AsUser -Exe $tool -Arguments @('status', '--json') -Credential $credential -OutDir $outDir -Tag 'user-status'
        Write-Host "connsecctl status --json -> exit $($userStatus.ExitCode) (informational: a denied user may not read the descriptor)"
        Write-Host $userStatus.Stdout
        if ($userStatus.Stderr.Trim()) { Write-Host $userStatus.Stderr }
        $userProbe = Invoke-AsUser -Exe $tool -Arguments @('probe', '--json') -Credential $credential -OutDir $outDir -Tag 'user-probe'
        Write-Host "connsecctl probe --json -> exit $($userProbe.ExitCode)"
        Write-Host $userProbe.Stdout
        if ($userProbe.Stderr.Trim()) { Write-Host $userProbe.Stderr }
        $results += @{ Who = $credential.UserName; Probe = $userProbe; Expect = $ExpectUser }
    }

    foreach ($r in $results) {
        $json = $null
        $parseError = "connsecctl probe exited $($r.Probe.ExitCode) without JSON: $($r.Probe.Stderr.Trim())"
        if ($r.Probe.ExitCode -ne 2) {
            try { $json = $r.Probe.Stdout | ConvertFrom-Json } catch { $parseError = "unreadable probe output: $($_.Exception.Message)" }
        }
        foreach ($op in $Operations) {
            $v = if ($null -eq $json) { @{ Verdict = 'Error'; Detail = $parseError } } else { Get-ProbeVerdict -Json $json -Operation $op }
            $ok = ($v.Verdict -eq $r.Expect)
            $rows.Add([pscustomobject]@{ Who = $r.Who; Check = "probe $op"; Expected = $r.Expect; Observed = $v.Verdict; Ok = $ok; Detail = $v.Detail })
            if ($v.Verdict -eq 'Error') { $status = 2 } elseif (-not $ok) { $status = [Math]::Max($status, 1) }
        }
    }

    Write-ConnsecStep 'Result'
    $rows | Format-Table -AutoSize | Out-String -Width 200 | Write-Host
    switch ($status) {
        0 { Write-Host 'The DACL has the intended effect.' -ForegroundColor Green }
        1 { Write-Host 'The DACL does NOT have the intended effect (see the rows with Ok = False).' -ForegroundColor Red }
        default { Write-Host 'The check could not be completed (Error rows: read their Detail and the output above).' -ForegroundColor Yellow }
    }
} catch {
    Write-Error -Message "Test-ConnsecAccess failed: $($_.Exception.Message)" -ErrorAction Continue
    $status = 2
} finally {
    if ($RemoveTestUser -and $null -eq $TestUserCredential -and [ADSI]::Exists("WinNT://$env:COMPUTERNAME/$TestUserName,user")) {
        if ($PSCmdlet.ShouldProcess("local user $TestUserName", 'Delete')) {
            ([ADSI]"WinNT://$env:COMPUTERNAME,computer").Delete('User', $TestUserName)
            Write-Host "Deleted the local user $TestUserName (its profile folder under C:\Users stays)."
        }
    } elseif ($createdUser) {
        Write-Host "The local user $TestUserName stays for the next run (delete it with -RemoveTestUser or Reset-TestVM.ps1 -RemoveTestUser)."
    }
}
exit $status
