; Inno Setup script for the Windows installer. Build the one-folder app first
; (`make package` on Windows gives dist\cordon\), then: iscc packaging\windows\cordon.iss
#define AppName "Cordon"
#ifndef AppVersion
  #define AppVersion "0.2.0"
#endif

[Setup]
AppId={{6E0C2B7A-3F4D-4C1B-9E55-0B8F1C7D2A10}
AppName={#AppName}
AppVersion={#AppVersion}
AppPublisher=The Cordon developers
DefaultDirName={autopf}\Cordon
DefaultGroupName=Cordon
OutputDir=..\..\dist
OutputBaseFilename=Cordon-{#AppVersion}-setup
Compression=lzma2/max
SolidCompression=yes
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
PrivilegesRequired=lowest
PrivilegesRequiredOverridesAllowed=dialog
WizardStyle=modern
SetupIconFile=..\icons\cordon.ico
UninstallDisplayIcon={app}\cordon.exe

[Languages]
Name: "english"; MessagesFile: "compiler:Default.isl"
Name: "french"; MessagesFile: "compiler:Languages\French.isl"
Name: "spanish"; MessagesFile: "compiler:Languages\Spanish.isl"
Name: "portuguese"; MessagesFile: "compiler:Languages\Portuguese.isl"
Name: "german"; MessagesFile: "compiler:Languages\German.isl"
Name: "russian"; MessagesFile: "compiler:Languages\Russian.isl"
Name: "turkish"; MessagesFile: "compiler:Languages\Turkish.isl"
Name: "arabic"; MessagesFile: "compiler:Languages\Arabic.isl"

[Files]
Source: "..\..\dist\cordon\*"; DestDir: "{app}"; Flags: recursesubdirs ignoreversion

[Icons]
Name: "{group}\Cordon"; Filename: "{app}\cordon.exe"
Name: "{autodesktop}\Cordon"; Filename: "{app}\cordon.exe"; Tasks: desktopicon

[Tasks]
Name: "desktopicon"; Description: "{cm:CreateDesktopIcon}"; GroupDescription: "{cm:AdditionalIcons}"; Flags: unchecked

[Run]
Filename: "{app}\cordon.exe"; Description: "{cm:LaunchProgram,Cordon}"; Flags: nowait postinstall skipifsilent

; The profile (key file, encrypted store, attachments) lives in the user's data folder and is
; deliberately left in place on uninstall: removing it would destroy case data.
